package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * depmod over small trees of real 6.1 modules, against what kmod 30's depmod made of the same
 * trees (recorded by scripts/make-depmod-fixtures.sh): every file byte for byte, -n's output,
 * and a dependency cycle's messages, exit status and untouched directory.
 */
class DepmodFixtureTest {
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory("depmod-fixture");
    }

    @AfterEach
    void tearDown() throws IOException {
        DepTrees.delete(root);
    }

    private Path moduleDir() {
        return root.resolve("lib/modules/" + DepTrees.KVER);
    }

    @Test
    void everyFileIsWhatKmodWrote() throws IOException {
        DepTrees.copyTree(DepTrees.resource("tree"), root);
        DepTrees.Run r = DepTrees.ours("-b", root.toString(), DepTrees.KVER);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        for (String f : DepTrees.OUTPUTS) {
            assertArrayEquals(Files.readAllBytes(DepTrees.resource("expected/" + f)),
                    Files.readAllBytes(moduleDir().resolve(f)), f);
        }
        try (var s = Files.list(moduleDir())) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @Test
    void showPrintsTheTextFiles() throws IOException {
        DepTrees.copyTree(DepTrees.resource("tree"), root);
        DepTrees.Run r = DepTrees.ours("-n", "-b", root.toString(), DepTrees.KVER);
        assertEquals(0, r.status());
        assertEquals(Files.readString(DepTrees.resource("expected/show.txt")), r.out());
        assertFalse(Files.exists(moduleDir().resolve("modules.dep")));
    }

    @Test
    void aCycleIsReportedAndNothingWritten() throws IOException {
        Path extra = moduleDir().resolve("kernel/extra");
        Files.createDirectories(extra);
        for (String m : List.of("loopa.ko", "loopb.ko")) Files.copy(DepTrees.resource("modules/" + m), extra.resolve(m));
        DepTrees.Run r = DepTrees.ours("-b", root.toString(), DepTrees.KVER);
        assertEquals(Integer.parseInt(Files.readString(DepTrees.resource("expected/loop.status")).trim()), r.status());
        assertEquals(Files.readString(DepTrees.resource("expected/loop.stderr")), r.err().replace(root.toString(), "ROOT"));
        List<String> left = new ArrayList<>();
        try (var s = Files.list(moduleDir())) {
            s.forEach(p -> left.add(p.getFileName().toString()));
        }
        assertEquals(List.of("kernel"), left);
    }

    @Test
    void aCycleBehindACycleEndsWithAReport() throws IOException {
        // kmod 30 itself runs out of memory on this graph; ours reports both cycles and stops.
        Path extra = moduleDir().resolve("kernel/extra");
        Files.createDirectories(extra);
        for (String m : List.of("loopa.ko", "loopb.ko", "loopc.ko", "loopd.ko"))
            Files.copy(DepTrees.resource("modules/" + m), extra.resolve(m));
        DepTrees.Run r = DepTrees.ours("-b", root.toString(), DepTrees.KVER);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("depmod: ERROR: Cycle detected: "), r.err());
        assertTrue(r.err().endsWith("modules in dependency cycles!\n"), r.err());
        assertFalse(Files.exists(moduleDir().resolve("modules.dep")));
    }
}
