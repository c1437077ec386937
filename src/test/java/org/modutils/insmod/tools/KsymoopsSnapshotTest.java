package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.RecordingKernel;
import org.modutils.insmod.report.Report;

/** The local snapshot reads the kernel's tables only when the snapshot directory exists. */
class KsymoopsSnapshotTest {
    @TempDir
    Path tmp;

    /** Counts which of the kernel's files are read. */
    private static final class Counting extends RecordingKernel {
        final List<String> reads = new ArrayList<>();

        Counting() {
            files.put("/proc/ksyms", "c0100000 printk\n".getBytes());
            files.put("/proc/modules", "dummy 1 0\n".getBytes());
        }

        @Override
        public byte[] readFile(String path) {
            reads.add(path);
            return super.readFile(path);
        }
    }

    private static List<String> take(Counting k, Path dir) {
        List<String> errors = new ArrayList<>();
        KsymoopsSnapshot.take(k, Map.of("INSMOD_KSYMOOPS_DIR", dir.toString()),
                Report.of(errors::add, t -> { }, t -> { }), KsymoopsSnapshot.INSMOD);
        return errors;
    }

    @Test
    void noDirectoryMeansNothingRead() {
        Counting k = new Counting();
        assertEquals(List.of(), take(k, tmp.resolve("absent")));
        assertEquals(List.of(), k.reads, "snapshots off: the symbol table is not read");
    }

    @Test
    void anExistingDirectoryGetsBothFiles() throws Exception {
        Counting k = new Counting();
        Path dir = Files.createDirectory(tmp.resolve("ksymoops"));
        assertEquals(List.of(), take(k, dir));
        assertEquals(List.of("/proc/ksyms", "/proc/modules"), k.reads);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(".ksyms", ".modules"),
                    files.map(p -> p.getFileName().toString().replaceAll("^\\d{14}", "")).sorted().toList());
        }
    }
}
