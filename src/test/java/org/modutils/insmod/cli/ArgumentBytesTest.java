package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Arguments are bytes, not text: a byte that is no character of the locale's charset (0xE9,
 * 0xE4 under C and under C.UTF-8) reaches messages, the map and the image as the original
 * passed it on — the C original never decoded argv. The arguments are made by printf(1) in a
 * shell, so they are raw bytes, then handed to a separate JVM running Main, and, when the
 * packaged jar is current, to bin/insmod itself.
 */
class ArgumentBytesTest {
    @TempDir
    Path tmp;

    record Result(int rc, byte[] out, byte[] err) {}

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void throughAJvmRunningMain(String locale) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String launcher = "'" + java + "' -Xshare:auto -cp '" + System.getProperty("java.class.path") + "' "
                + Main.class.getName();
        checkAll(locale, launcher);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void throughBinInsmod(String locale) throws Exception {
        Path jar = Paths.get("target/insmod.jar");
        Path cls = Paths.get("target/classes/org/modutils/insmod/cli/Argv.class");
        assumeTrue(Files.exists(jar) && Files.exists(cls)
                        && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(cls)) >= 0,
                "target/insmod.jar is missing or older than the classes (mvn package builds it); "
                        + "throughAJvmRunningMain covers the same code");
        checkAll(locale, "bin/insmod");
    }

    void checkAll(String locale, String launcher) throws Exception {
        String obj = OracleTest.placeObject("i386", "hello.o").toString();
        // 1. -o n\xe4me and a value with 0xE9: "foo" is hello.o's int parameter, strtoul stops
        //    at 0xE9: "invalid argument syntax for foo: '\xe9'" with the byte itself.
        Result bad = shWith(locale, launcher, "foo=\\351");
        assertEquals(obj + ": invalid argument syntax for foo: '\u00e9'\n", latin1(bad.err()), locale);
        assertEquals(1, bad.rc());
        // 2. A good run: the module name's bytes in the map and in the image.
        Result ok = shWith(locale, launcher, "foo=5");
        assertEquals(0, ok.rc(), latin1(ok.err()));
        String map = latin1(ok.out());
        assertTrue(map.contains(" D __insmod_n\u00e4me_O" + obj + "_M"), map);
        byte[] image = Files.readAllBytes(tmp.resolve("blob"));
        assertTrue(indexOf(image, new byte[] {'n', (byte) 0xe4, 'm', 'e', 0}) >= 0, "the name's bytes in .kstrtab");
        assertEquals(-1, indexOf(image, new byte[] {'n', (byte) 0xfd}), "no replacement character");
        assertEquals(-1, indexOf(image, new byte[] {'n', '?', 'm', 'e'}), "no question mark");
        // 3. A module whose file name has such a byte.
        checkByteFileName(locale, launcher);
    }

    /**
     * A module file whose name holds 0xE4 (no text under C or C.UTF-8): the original opened it by
     * its bytes; so do we (the C library's open(2)), and its realpath in the _O symbol keeps them.
     * The shell makes and removes the file (Java could not name it to delete it).
     */
    void checkByteFileName(String locale, String launcher) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bytes"));
        String src = Paths.get("testdata/oracle/i386/obj/hello.o").toAbsolutePath().toString();
        String name = dir + "/h\\344llo.o";
        String script = "f=$(printf '" + name + "'); cp '" + src + "' \"$f\"; " + launcher
                + " --ksyms=testdata/oracle/ksyms/ksyms32.txt --uname-release=2.4.27 -n -m \"$f\"; rc=$?; "
                + launcher + " --ksyms=testdata/oracle/ksyms/ksyms32.txt --uname-release=2.4.27 -n \"$f.missing\"; "
                + "echo \"rc2=$?\"; rm -f \"$f\"; exit $rc";
        ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", script));
        pb.environment().put("LC_ALL", locale);
        pb.environment().put("MODULECONFIG", "/dev/null");
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "insmod did not finish");
        String o = latin1(Files.readAllBytes(out)), e = latin1(Files.readAllBytes(err));
        String file = dir + "/h\u00e4llo.o";
        assertEquals(0, p.exitValue(), e);
        assertTrue(o.contains(" D __insmod_h\u00e4llo_O" + dir.toRealPath() + "/h\u00e4llo.o_M"), o);
        // gzf_open failed: error("%s: %m", filename) with error_file still "insmod".
        assertEquals("insmod: " + file + ".missing: No such file or directory\n", e);
        assertTrue(o.endsWith("rc2=1\n"), o);
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the shell removed the file");
        }
    }

    Result shWith(String locale, String launcher, String param) throws Exception {
        String obj = OracleTest.placeObject("i386", "hello.o").toString();
        Path blob = tmp.resolve("blob");
        Files.deleteIfExists(blob);
        String script = launcher + " --ksyms=testdata/oracle/ksyms/ksyms32.txt --uname-release=2.4.27"
                + " -n -m -O '" + blob + "' -o \"$(printf 'n\\344me')\" '" + obj + "' \"$(printf '" + param + "')\"";
        ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", script));
        pb.environment().put("LC_ALL", locale);
        pb.environment().put("MODULECONFIG", "/dev/null");
        pb.environment().put("MODPATH", OracleTest.runEnv().get("MODPATH"));
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "insmod did not finish");
        return new Result(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
