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
 * symbol=value parameters of 2.4 modules: each type is checked by decoding the -O image at the
 * parameter's address (from the load map) and comparing with the value C's rules give
 * (strtoul with base 0, truncation to the type's width, strings in .kstrtab, c<N> in place).
 */
class ParamsTest {
    @TempDir
    Path tmp;

    record Run(int rc, String err, Map<String, Long> symbols, byte[] image, int word) {
        long at(String sym, int off, int size) {
            return Endian.word(image, (int) (symbols.get(sym) - Insmod24.DUMMY_BASE) + off, size, false);
        }

        String cString(long addr) {
            int p = (int) (addr - Insmod24.DUMMY_BASE);
            int e = p;
            while (image[e] != 0) {
                e++;
            }
            return new String(image, p, e - p, StandardCharsets.ISO_8859_1);
        }

        String stringParam(String sym, int index) {
            return cString(at(sym, index * word, word));
        }
    }

    Run run(String arch, String... params) throws Exception {
        Path blob = tmp.resolve("blob-" + System.nanoTime());
        List<String> argv = new ArrayList<>(List.of("--ksyms=testdata/oracle/ksyms/" + (arch.equals("x86_64")
                ? "ksyms64.txt" : "ksyms32.txt"), "--uname-release=2.4.27", "-n", "-m", "-O", blob.toString(),
                "testdata/oracle/" + arch + "/obj/params.o"));
        argv.addAll(List.of(params));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv.toArray(new String[0]), new PrintStream(out, true), new PrintStream(err, true),
                Map.of("MODULECONFIG", "/dev/null"));
        Map<String, Long> syms = new HashMap<>();
        boolean in = false;
        for (String line : out.toString(StandardCharsets.ISO_8859_1).split("\n")) {
            if (line.equals("Symbols:")) {
                in = true;
            } else if (in) {
                String[] p = line.split(" ");
                syms.put(p[2], Long.parseUnsignedLong(p[0], 16));
            }
        }
        byte[] image = Files.exists(blob) ? Files.readAllBytes(blob) : null;
        return new Run(rc, err.toString(StandardCharsets.ISO_8859_1), syms, image, arch.equals("x86_64") ? 8 : 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void everyTypeIsStoredAsCWouldStoreIt(String arch) throws Exception {
        Run r = run(arch, "p_int=0x10", "p_byte=300", "p_short=-2", "p_long=-1", "p_str=hello", "p_chars=xyz",
                "p_arr=1, 2 ,3", "p_strs=a,b", "p_harr=7,010");
        assertEquals(0, r.rc(), r.err());
        assertEquals(16, r.at("p_int", 0, 4));
        assertEquals(300 & 0xff, r.at("p_byte", 0, 1));
        assertEquals(0xfffe, r.at("p_short", 0, 2));
        assertEquals(r.word() == 8 ? -1L : 0xffffffffL, r.at("p_long", 0, r.word()));
        assertEquals("hello", r.stringParam("p_str", 0));
        assertEquals("xyz", r.cString(r.symbols().get("p_chars")));
        assertEquals(1, r.at("p_arr", 0, 4));
        assertEquals(2, r.at("p_arr", 4, 4));
        assertEquals(3, r.at("p_arr", 8, 4));
        assertEquals(initial(arch, "p_arr", 12), r.at("p_arr", 12, 4), "a value not given keeps the initialiser");
        assertEquals("a", r.stringParam("p_strs", 0));
        assertEquals("b", r.stringParam("p_strs", 1));
        assertEquals(7, r.at("p_harr", 0, 2));
        assertEquals(8, r.at("p_harr", 2, 2), "010 is octal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void quotedStringsTakeCommasAndCEscapes(String arch) throws Exception {
        Run r = run(arch, "p_str=\"a,b\\101\\t\\e\\q\"", "p_strs=\"x,y\",z");
        assertEquals(0, r.rc(), r.err());
        assertEquals("a,bA\t\033q", r.stringParam("p_str", 0));
        assertEquals("x,y", r.stringParam("p_strs", 0));
        assertEquals("z", r.stringParam("p_strs", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void emptyElementsWriteZeroAndOverflowSaturates(String arch) throws Exception {
        Run r = run(arch, "p_arr=5,,7", "p_int=99999999999999999999999");
        assertEquals(0, r.rc(), r.err());
        assertEquals(5, r.at("p_arr", 0, 4));
        assertEquals(0, r.at("p_arr", 4, 4));
        assertEquals(7, r.at("p_arr", 8, 4));
        assertEquals(0xffffffffL, r.at("p_int", 0, 4), "strtoul saturates at ULONG_MAX, truncated to int");
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void charArraysAcceptNMinus2Characters(String arch) throws Exception {
        assertEquals(0, run(arch, "p_chars=0123456789abcd").rc());
        Run r = run(arch, "p_chars=0123456789abcde");
        assertEquals(1, r.rc());
        assertTrue(r.err().endsWith("params.o: string too long for p_chars (max 15)\n"), r.err());
        assertEquals(null, r.image(), "no -O image after an error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "x86_64"})
    void errorsUseTheOriginalsWords(String arch) throws Exception {
        assertError(run(arch, "p_arr=1,2,3,4,5"), "too many values for p_arr (max 4)");
        assertError(run(arch, "p_strs=a"), "too few values for p_strs (min 2)");
        assertError(run(arch, "p_int=5x"), "invalid argument syntax for p_int: 'x'");
        assertError(run(arch, "p_str=\"open"), "improperly terminated string argument for p_str");
        assertError(run(arch, "nosuch=1"), "invalid parameter parm_nosuch");
        Run ok = run(arch, "noequals", "p_int=3");
        assertEquals(0, ok.rc(), "arguments without '=' are ignored: " + ok.err());
    }

    /** The 32-bit initial value at {@code off} into {@code sym} in the object's own section data. */
    static long initial(String arch, String sym, int off) throws Exception {
        Path obj = Paths.get("testdata/oracle/" + arch + "/obj/params.o");
        org.modutils.insmod.elf.ElfFile elf = org.modutils.insmod.elf.ElfFile.parse("params.o", Files.readAllBytes(obj));
        for (int i = 0; i < elf.sectionCount(); i++) {
            if (elf.section(i).type() == org.modutils.insmod.elf.Elf.SHT_SYMTAB) {
                org.modutils.insmod.elf.ElfSymbols s = elf.symbols(i);
                for (int k = 0; k < s.count(); k++) {
                    if (s.name()[k].equals(sym)) {
                        return Endian.u32(elf.sectionData(s.shndx()[k]), (int) s.value()[k] + off, false);
                    }
                }
            }
        }
        throw new AssertionError(sym);
    }

    static void assertError(Run r, String message) {
        assertEquals(1, r.rc());
        assertTrue(r.err().endsWith("params.o: " + message + "\n"), r.err());
    }
}
