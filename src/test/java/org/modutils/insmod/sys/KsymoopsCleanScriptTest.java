package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ksymoops-scripts/insmod_ksymoops_clean: snapshots not accessed for two days go, the newest
 * snapshot always stays, files that are not snapshots are not touched.
 */
class KsymoopsCleanScriptTest {
    @TempDir
    Path tmp;

    static Path script() {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(base, "ksymoops-scripts", "insmod_ksymoops_clean");
    }

    private Path file(String name, Duration accessedAgo) throws IOException {
        Path p = Files.writeString(tmp.resolve(name), name + "\n");
        FileTime t = FileTime.from(Instant.now().minus(accessedAgo));
        Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(t, t, null);
        return p;
    }

    private int run(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "/bin/sh";
        cmd[1] = script().toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals("", out);
        return p.exitValue();
    }

    private Set<String> left() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            Set<String> names = new TreeSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        }
    }

    @Test
    void oldSnapshotsGoRecentOnesAndOtherFilesStay() throws Exception {
        file("20240101000000.ksyms", Duration.ofDays(10));
        file("20240101000000.modules", Duration.ofDays(10));
        file("20240102000000.ksyms", Duration.ofHours(60));
        file("20240102000000.modules", Duration.ofHours(60));
        file("20240103000000.ksyms", Duration.ofHours(40));    // read within two days
        file("20240103000000.modules", Duration.ofHours(40));
        file("20231231.log", Duration.ofDays(5));
        file("notes.txt", Duration.ofDays(10));
        assertEquals(0, run(tmp.toString()));
        assertEquals(Set.of("20240103000000.ksyms", "20240103000000.modules", "notes.txt"), left());
    }

    @Test
    void theNewestSnapshotStaysEvenWhenOld() throws Exception {
        file("20240101000000.ksyms", Duration.ofDays(10));
        file("20240101000000.modules", Duration.ofDays(10));
        file("20240105000000.ksyms", Duration.ofDays(9));
        file("20240105000000.modules", Duration.ofDays(9));
        assertEquals(0, run(tmp.toString()));
        assertEquals(Set.of("20240105000000.ksyms", "20240105000000.modules"), left());
        assertEquals(0, run(tmp.toString()));
        assertEquals(Set.of("20240105000000.ksyms", "20240105000000.modules"), left());
    }

    @Test
    void aMissingDirectoryIsNotAnError() throws Exception {
        assertEquals(0, run(tmp.resolve("absent").toString()));
    }
}
