package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.modutils.insmod.arch.Targets;

/**
 * Every recorded case of the original insmod (testdata/oracle, copied from the shared oracle):
 * the same command line must give the same stdout, stderr, exit status and -O image.
 */
class OracleTest {
    static final Path ORACLE = Paths.get("testdata/oracle");
    static final Path GOLDEN = Paths.get("/tmp/insmod-golden");

    @TestFactory
    Stream<DynamicNode> recordedCases() throws IOException {
        List<DynamicNode> arches = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ORACLE)) {
            for (Path archDir : dirs.sorted().toList()) {
                String arch = archDir.getFileName().toString();
                if (arch.equals("ksyms") || !Files.isDirectory(archDir)) {
                    continue;
                }
                List<DynamicNode> cases = new ArrayList<>();
                try (Stream<Path> cs = Files.list(archDir)) {
                    for (Path c : cs.sorted().toList()) {
                        if (Files.isRegularFile(c.resolve("argv"))) {
                            cases.add(DynamicTest.dynamicTest(c.getFileName().toString(), () -> runCase(arch, c)));
                        }
                    }
                }
                arches.add(DynamicContainer.dynamicContainer(arch, cases));
            }
        }
        return arches.stream();
    }

    /** As the oracle ran: no config file and an empty MODPATH directory. */
    static Map<String, String> runEnv() throws IOException {
        Path empty = Files.createDirectories(Paths.get("target", "oracle-empty-modpath").toAbsolutePath());
        return Map.of("MODULECONFIG", "/dev/null", "MODPATH", empty.toString());
    }

    static Map<String, String> readEnv(Path c) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(c.resolve("env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    /** Puts the case's object where the original ran it, with the recorded mtime (0x40000000). */
    static Path placeObject(String arch, String objName) throws IOException {
        Path dir = GOLDEN.resolve(arch);
        Files.createDirectories(dir);
        Path dst = dir.resolve(objName);
        Path tmp = Files.createTempFile(dir, ".copy", ".tmp");
        Files.copy(ORACLE.resolve(arch).resolve("obj").resolve(objName), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(tmp, FileTime.fromMillis(0x40000000L * 1000));
        Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return dst;
    }

    static void runCase(String arch, Path c) throws IOException {
        assumeTrue(Targets.byName(arch) != null, "architecture " + arch + " not linked yet");
        Map<String, String> env = readEnv(c);
        String obj = null;
        if (Files.exists(c.resolve("objname"))) {
            obj = placeObject(arch, Files.readString(c.resolve("objname")).strip()).toString();
        }
        Path blobDir = Files.createTempDirectory("oracle");
        try {
            runCase(c, env, obj, blobDir.resolve("blob.bin"));
            try (Stream<Path> left = Files.list(blobDir)) {
                assertEquals(List.of(), left.filter(p -> !p.endsWith("blob.bin")).toList(), "files left beside -O");
            }
        } finally {
            try (Stream<Path> left = Files.list(blobDir)) {
                for (Path p : left.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(blobDir);
        }
    }

    private static void runCase(Path c, Map<String, String> env, String obj, Path blob) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add("--ksyms=" + ORACLE.resolve(env.get("KSYMS")));
        argv.add("--uname-release=" + env.get("RELEASE"));
        argv.add("--uname-version=" + env.get("UTS_VERSION"));
        for (String a : Files.readAllLines(c.resolve("argv"))) {
            argv.add(a.replace("{obj}", obj == null ? "{obj}" : obj).replace("{blob}", blob.toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), runEnv());
        String expectedErr = Files.readString(c.resolve("stderr"), StandardCharsets.ISO_8859_1);
        assertEquals(expectedErr, err.toString(StandardCharsets.ISO_8859_1), "stderr");
        assertEquals(Files.readString(c.resolve("stdout"), StandardCharsets.ISO_8859_1),
                out.toString(StandardCharsets.ISO_8859_1), "stdout");
        assertEquals(Integer.parseInt(Files.readString(c.resolve("rc")).strip()), rc, "exit status");
        Path expectedBlob = c.resolve("blob.bin");
        if (Files.exists(expectedBlob)) {
            assertArrayEquals(Files.readAllBytes(expectedBlob), Files.readAllBytes(blob), "blob");
        } else {
            assertFalse(Files.exists(blob), "no blob expected");
        }
    }
}
