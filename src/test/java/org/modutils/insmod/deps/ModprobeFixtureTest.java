package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.tools.Modprobe;

/**
 * modprobe's dry runs on the small fixture tree (indexed by our depmod) against what kmod's
 * modprobe printed for the same tree and modprobe.d (recorded by scripts/make-depmod-fixtures.sh):
 * hard and soft dependencies, compressed files, options, an install command, aliases of every
 * kind, a built-in module, an unknown name.
 */
class ModprobeFixtureTest {
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory("modprobe-fixture");
        DepTrees.copyTree(DepTrees.resource("tree"), root);
        assertEquals(0, DepTrees.ours("-b", root.toString(), DepTrees.KVER).status());
    }

    @AfterEach
    void tearDown() throws IOException {
        DepTrees.delete(root);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-D chain_top", "-D chain-middle", "-D chainy", "-D char-major-10-250", "-D crc32c",
        "-D symbol:chain_mid_value", "-n -v chain_top x=1", "-n -v -r chain_top", "-D nosuch",
        "-R pci:v00001234d0000ABCDsv0sd0bc0sc0i0"})
    void printsWhatKmodPrinted(String args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("-C", DepTrees.resource("expected/modprobe.conf").toString(),
                "-S", DepTrees.KVER, "-d", root.toString()));
        argv.addAll(List.of(args.split(" ")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int st;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            st = Modprobe.run(argv.toArray(new String[0]), o, o);
        }
        String name = args.replace(' ', '_').replace(':', '_').replace('=', '_');
        String expected = Files.readString(DepTrees.resource("expected/modprobe" + name + ".out"));
        assertEquals(expected, out.toString(StandardCharsets.UTF_8).replace(root.toString(), "ROOT") + st + "\n", args);
    }
}
