package org.modutils.insmod.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.Endian;

/**
 * Persistent parameters (-e/--persist, MODULE_PARM "...p"). The module is the recorded params.o
 * with 'p' added to parm_p_int and parm_p_harr (and, for one case, to the string parm_p_str);
 * expected values follow the original's rules and are read back from the image at the symbols.
 */
class PersistTest {
    @TempDir
    Path tmp;

    record Run(int rc, String out, String err, Map<String, Long> symbols, byte[] image) {
        long at(String sym, int off, int size) {
            return Endian.word(image, (int) (symbols.get(sym) - Insmod24.DUMMY_BASE) + off, size, false);
        }
    }

    Path module(String arch, boolean persistentString) throws Exception {
        byte[] b = Files.readAllBytes(Paths.get("testdata/oracle/" + arch + "/obj/params.o"));
        patch(b, "parm_p_int=i\0", "parm_p_int=ip\0");
        patch(b, "parm_p_harr=2h\0", "parm_p_harr=2hp\0");
        if (persistentString) {
            patch(b, "parm_p_str=s\0", "parm_p_str=sp\0");
        }
        Path dir = Files.createDirectories(tmp.resolve(arch + "/misc"));
        Path p = dir.resolve("params.o");
        Files.write(p, b);
        return p;
    }

    /** Rewrites a .modinfo string in place; the original entries are padded, so there is room. */
    static void patch(byte[] b, String from, String to) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(from);
        assertTrue(at >= 0, from);
        for (int i = 0; i < to.length(); i++) {
            assertTrue(i < from.length() || b[at + i] == 0, "no padding after " + from);
            b[at + i] = (byte) to.charAt(i);
        }
    }

    Run run(String arch, Map<String, String> env, String... args) throws Exception {
        Path blob = tmp.resolve("blob-" + System.nanoTime());
        List<String> argv = new ArrayList<>(List.of("--ksyms=testdata/oracle/ksyms/" + (arch.equals("x86_64")
                ? "ksyms64.txt" : "ksyms32.txt"), "--uname-release=2.4.27", "-n", "-m", "-O", blob.toString()));
        argv.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(Map.of("MODULECONFIG", "/dev/null"));
        e.putAll(env);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv.toArray(new String[0]), new PrintStream(out, true), new PrintStream(err, true), e);
        Map<String, Long> syms = new HashMap<>();
        String o = out.toString(StandardCharsets.ISO_8859_1);
        boolean in = false;
        for (String line : o.split("\n")) {
            if (line.equals("Symbols:")) {
                in = true;
            } else if (in) {
                String[] p = line.split(" ", 3);
                syms.put(p[2], Long.parseUnsignedLong(p[0], 16));
            }
        }
        return new Run(rc, o, err.toString(StandardCharsets.ISO_8859_1), syms,
                Files.exists(blob) ? Files.readAllBytes(blob) : null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void fileValuesApplyAndTheCommandLineWins(String arch) throws Exception {
        Path obj = module(arch, false);
        Path data = tmp.resolve("persist-" + arch);
        Files.writeString(data, "# saved by rmmod\n  p_int=77\np_harr=5,6\np_byte=9\n\n");
        Run r = run(arch, Map.of(), "-e", data.toString(), obj.toString(), "p_harr=1,2");
        assertEquals(0, r.rc(), r.err());
        assertEquals(77, r.at("p_int", 0, 4), "from the file");
        assertEquals(1, r.at("p_harr", 0, 2), "the command line wins");
        assertEquals(2, r.at("p_harr", 2, 2));
        // The original handed every line of the file to process_module_arguments(..., 0): a
        // declared parameter without 'p' is set from it too.
        assertEquals(9, r.at("p_byte", 0, 1), "file values of parameters without 'p' apply, as in the original");
        assertEquals(Insmod24.DUMMY_BASE, r.symbols().get("__insmod_params_P" + data));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void undeclaredNamesInTheFileAreIgnored(String arch) throws Exception {
        // Optional parameters (required = 0): an undeclared name is skipped, "ignoring" under -v.
        Path obj = module(arch, false);
        Path data = tmp.resolve("persist-" + arch);
        // Leading blanks are C isspace(): 0x1C is none, so "\u001cp_harr" is an undeclared name.
        Files.writeString(data, "nosuch=1\n \t\u000bp_int=5\n\u001cp_harr=7\n", StandardCharsets.ISO_8859_1);
        Run r = run(arch, Map.of(), "-v", "-e", data.toString(), obj.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("ignoring nosuch=1\n"), r.out());
        assertTrue(r.out().contains("ignoring \u001cp_harr=7\n"), r.out());
        assertEquals(5, r.at("p_int", 0, 4));
        assertEquals(run(arch, Map.of(), obj.toString()).at("p_harr", 0, 2), r.at("p_harr", 0, 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void verboseWithoutDashESaysThereIsNoFile(String arch) throws Exception {
        // INSMOD_MAIN: persist_parms && flag_verbose and no f->persist.
        Path obj = module(arch, false);
        Run r = run(arch, Map.of(), "-v", obj.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("\nNo persistent filename available\n"), r.out());
        assertEquals("", r.err());
        Run plain = run(arch, Map.of(), obj.toString());
        assertTrue(!plain.out().contains("persistent"), plain.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void aDirectoryGivesNoValuesAndNoMessage(String arch) throws Exception {
        // fopen(dir, "r") succeeds on Linux and the first fgets ends the loop: nothing is said.
        Path obj = module(arch, false);
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        Run r = run(arch, Map.of(), "-v", "-e", dir.toString(), obj.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("Persist filename '" + dir + "'\n"), r.out());
        assertTrue(!r.out().contains("Cannot open persist file"), r.out());
        assertEquals("", r.err());
        assertEquals(ParamsTest.initial(arch, "p_int", 0), r.at("p_int", 0, 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void aBadCommandLineValueStopsBeforeThePersistentFile(String arch) throws Exception {
        // INSMOD_MAIN processes the command line first and stops on its error, before it names
        // or reads the persistent file.
        Path obj = module(arch, false);
        Path data = tmp.resolve("persist-" + arch);
        Files.writeString(data, "p_int=bad\n");
        Run r = run(arch, Map.of(), "-v", "-e", data.toString(), obj.toString(), "p_int=5x");
        assertEquals(1, r.rc());
        assertEquals(obj + ": invalid argument syntax for p_int: 'x'\n", r.err());
        assertTrue(!r.out().contains("Persist filename"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void relativeNamesAreRefused(String arch) throws Exception {
        Path obj = module(arch, false);
        Run r = run(arch, Map.of(), "-e", "relative/name", obj.toString());
        assertEquals(1, r.rc());
        assertEquals(obj + ": Persistent filenames must be absolute, ignoring 'relative/name'\n", r.err());
        assertEquals(null, r.image());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void aMissingFileIsNoError(String arch) throws Exception {
        Path obj = module(arch, false);
        Path data = tmp.resolve("nothing-here");
        Run r = run(arch, Map.of(), "-v", "-e", data.toString(), obj.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("Persist filename '" + data + "'\n"), r.out());
        assertTrue(r.out().contains("Cannot open persist file '" + data + "' No such file or directory\n"), r.out());
        assertEquals(ParamsTest.initial(arch, "p_int", 0), r.at("p_int", 0, 4));
        assertTrue(r.symbols().containsKey("__insmod_params_P" + data));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void persistenceNeedsKsymoopsSymbols(String arch) throws Exception {
        Path obj = module(arch, false);
        Run r = run(arch, Map.of(), "-y", "-e", tmp.resolve("p").toString(), obj.toString());
        assertEquals(1, r.rc());
        assertEquals(obj + ": has persistent data but ksymoops symbols are not available\n", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void stringsCannotBePersistent(String arch) throws Exception {
        Path obj = module(arch, true);
        Run r = run(arch, Map.of(), "-e", tmp.resolve("p").toString(), obj.toString());
        assertEquals(1, r.rc());
        assertEquals(obj + ": parameter p_str is invalid persistent string\n", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void emptyNameMeansPersistdirPlusTheModulesRelativePath(String arch) throws Exception {
        Path obj = module(arch, false);
        Path conf = tmp.resolve("modules.conf");
        Path pdir = tmp.resolve("persist-dir");
        Files.writeString(conf, "persistdir=" + pdir + "\n");
        Files.createDirectories(pdir.resolve("misc"));
        Files.writeString(pdir.resolve("misc/params"), "p_int=1234\n");
        Run r = run(arch, Map.of("MODULECONFIG", conf.toString(), "MODPATH", tmp.resolve(arch).toString()), "-r",
                "-v", "-e", "", "params");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("Persist filename '" + pdir + "/misc/params'\n"), r.out());
        assertEquals(1234, r.at("p_int", 0, 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void anEmptyNameWithoutPersistdirIsDroppedFirstThing(String arch) throws Exception {
        // INSMOD_MAIN, right after config_read: -e "" and no persistdir: lprintf under -v, before
        // "Using ...", whether or not the module has persistent parameters; then no file at all.
        Path obj = module(arch, false);
        Path conf = Files.writeString(tmp.resolve("empty-persistdir.conf"), "persistdir=\n");
        Run r = run(arch, Map.of("MODULECONFIG", conf.toString()), "-v", "-e", "", obj.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("insmod: -e \"\" ignored, no persistdir\nUsing " + obj + "\n"), r.out());
        assertTrue(r.out().contains("\nNo persistent filename available\n"), r.out());
        Path plain = Paths.get("testdata/oracle/" + arch + "/obj/hello.o");
        Run h = run(arch, Map.of("MODULECONFIG", conf.toString()), "-v", "-e", "", plain.toString());
        assertTrue(h.out().startsWith("insmod: -e \"\" ignored, no persistdir\nUsing "), h.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void overlongLinesAreReported(String arch) throws Exception {
        Path obj = module(arch, false);
        Path data = tmp.resolve("long");
        Files.writeString(data, "p_int=" + "1".repeat(4000) + "\n");
        Run r = run(arch, Map.of(), "-e", data.toString(), obj.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith(obj + ": Persistent data line is too long\n"), r.err());
    }
}
