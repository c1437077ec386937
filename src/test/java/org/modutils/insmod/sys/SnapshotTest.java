package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ksymoops snapshots: names from snap_shot.c ("%04d%02d%02d%02d%02d%02d.ksyms"), byte copies. */
class SnapshotTest {
    @TempDir
    Path tmp;
    final List<String> errors = new ArrayList<>();

    // A /proc/ksyms in the 2.4 kernel's format, with the TAB before the module name
    static final byte[] KSYMS = ("c01234f0 printk_R1b7d4074\nc8850000 __insmod_hello_O/lib/modules/hello.o_M40000000_V132123\t[hello]\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] MODULES = "hello                    688   0 (unused)\n".getBytes(StandardCharsets.ISO_8859_1);
    // 2024-01-05 03:04:05 UTC is 2024-01-05 08:34:05 at +05:30
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-05T03:04:05Z"), ZoneOffset.ofHoursMinutes(5, 30));

    private Snapshot snapshot(Path dir) {
        return new Snapshot(dir, CLOCK, errors::add);
    }

    @Test
    void writesBothFilesNamedByLocalTime() throws IOException {
        List<Path> written = snapshot(tmp).take(KSYMS, MODULES);
        Path k = tmp.resolve("20240105083405.ksyms");
        Path m = tmp.resolve("20240105083405.modules");
        assertEquals(List.of(k, m), written);
        assertArrayEquals(KSYMS, Files.readAllBytes(k));
        assertArrayEquals(MODULES, Files.readAllBytes(m));
        assertTrue(errors.isEmpty());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count());
        }
    }

    @Test
    void aMissingDirectoryMeansNoSnapshotAndNoMessage() {
        assertEquals(List.of(), snapshot(tmp.resolve("absent")).take(KSYMS, MODULES));
        assertTrue(errors.isEmpty());
    }

    @Test
    void aKernelWithoutProcKsymsIsReportedOnce() {
        assertEquals(List.of(), snapshot(tmp).take(null, MODULES));
        assertEquals(List.of("cannot open /proc/ksyms No such file or directory"), errors);
    }

    @Test
    void aReadOnlyDirectoryIsReportedOnceAndDoesNotThrow() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("ro"));
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        boolean immutable = false;
        if (root) {
            // root ignores permission bits; an immutable directory refuses new entries to root too
            immutable = run("chattr", "+i", dir.toString()) == 0;
            assumeTrue(immutable, "running as root and chattr +i is not available here");
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            List<Path> written = snapshot(dir).take(KSYMS, MODULES);
            assertEquals(List.of(), written);
            assertEquals(1, errors.size(), errors.toString());
            String e = errors.get(0);
            assertTrue(e.startsWith("cannot create " + dir + "/20240105083405.ksyms "), e);
            assertTrue(e.endsWith("Permission denied") || e.endsWith("Operation not permitted")
                    || e.endsWith("Read-only file system"), e);
        } finally {
            if (immutable) {
                run("chattr", "-i", dir.toString());
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aFileThatCannotBeReplacedIsReportedAndTheSecondIsNotTried() throws IOException {
        Files.createDirectory(tmp.resolve("20240105083405.ksyms")); // EISDIR when opened for writing
        assertEquals(List.of(), snapshot(tmp).take(KSYMS, MODULES));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("cannot create " + tmp + "/20240105083405.ksyms "), errors.get(0));
        assertTrue(Files.notExists(tmp.resolve("20240105083405.modules")));
    }

    @Test
    void anExistingSnapshotOfTheSameSecondIsOverwritten() throws IOException {
        Files.writeString(tmp.resolve("20240105083405.modules"), "old and much longer content than the new one\n");
        snapshot(tmp).take(KSYMS, MODULES);
        assertArrayEquals(MODULES, Files.readAllBytes(tmp.resolve("20240105083405.modules")));
    }

    private static int run(String... cmd) throws InterruptedException {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            return -1;
        }
    }
}
