package org.modutils.insmod.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.Endian;

/**
 * Weak undefined symbols resolve to 0 and COMMON symbols land in .bss, largest last, aligned:
 * checked on an object assembled here with GNU as, by decoding the -O image.
 */
class WeakAndCommonTest {
    @TempDir
    Path tmp;

    static final String SOURCE = String.join("\n",
            "\t.section .modinfo,\"a\"",
            "\t.string \"kernel_version=2.4.27\"",
            "\t.string \"license=GPL\"",
            "\t.text",
            "\t.globl init_module",
            "init_module:",
            "\tmovl $maybe, %eax",
            "\tmovl $small, %ebx",
            "\tmovl $big, %ecx",
            "\tret",
            "\t.weak maybe",
            "\t.comm big,64,16",
            "\t.comm small,2,2",
            "\t.data",
            "\t.long 0x11111111",
            "\t.bss",
            "\t.long 0",
            "");

    @Test
    void weakUndefinedIsZeroAndCommonsGoToBss() throws Exception {
        Path s = tmp.resolve("weak.s"), o = tmp.resolve("weak.o"), blob = tmp.resolve("blob");
        Files.writeString(s, SOURCE);
        assemble(s, o);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/ksyms32.txt", "--uname-release=2.4.27", "-n",
                "-m", "-O", blob.toString(), o.toString()}, new PrintStream(out, true), new PrintStream(err, true),
                Map.of("MODULECONFIG", "/dev/null"));
        assertEquals(0, rc, err.toString(StandardCharsets.ISO_8859_1));
        Map<String, Long> syms = new HashMap<>();
        Map<String, long[]> secs = new HashMap<>();
        boolean in = false;
        for (String line : out.toString(StandardCharsets.ISO_8859_1).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (line.equals("Symbols:")) {
                in = true;
            } else if (in && f.length == 3) {
                syms.put(f[2], Long.parseLong(f[0], 16));
            } else if (!in && f.length == 4 && f[3].startsWith("2**")) {
                secs.put(f[0], new long[] {Long.parseLong(f[2], 16), Long.parseLong(f[1], 16)});
            }
        }
        byte[] image = Files.readAllBytes(blob);
        int text = (int) (secs.get(".text")[0] - Insmod24.DUMMY_BASE);
        // movl $imm32, %eax is b8 imm32: the weak symbol's value is 0.
        assertEquals(0, Endian.u32(image, text + 1, false));
        long bss = secs.get(".bss")[0];
        long small = syms.get("small"), big = syms.get("big");
        assertEquals(small, Endian.u32(image, text + 6, false));
        assertEquals(big, Endian.u32(image, text + 11, false));
        // .bss had 4 bytes; commons follow, smallest first, each at its alignment.
        assertEquals(bss + 4, small);
        assertEquals(bss + 16, big);
        assertTrue(secs.get(".bss")[1] >= 16 + 64, "bss grew by the commons");
    }

    /**
     * Two globals of one name (the second renamed in .strtab after assembly): modutils'
     * obj_add_symbol says "NAME multiply defined" as an error() when it meets the second, the
     * load goes on to its next errors check and stops there, writing nothing.
     */
    @Test
    void multiplyDefinedIsAnErrorThatStopsTheLoad() throws Exception {
        Path s = tmp.resolve("dup.s"), o = tmp.resolve("dup.o"), blob = tmp.resolve("blob");
        Files.writeString(s, String.join("\n",
                "\t.section .modinfo,\"a\"", "\t.string \"kernel_version=2.4.27\"", "\t.text",
                "\t.globl init_module", "init_module:", "\tret", "\t.globl dupxa", "dupxa:", "\tret",
                "\t.data", "\t.globl dupxb", "dupxb:", "\t.long 1", ""));
        assemble(s, o);
        byte[] obj = Files.readAllBytes(o);
        String text = new String(obj, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("dupxb\0");
        assertTrue(at > 0 && text.indexOf("dupxb\0", at + 1) < 0, "one dupxb in the string table");
        obj[at + 4] = 'a';
        Files.write(o, obj);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/ksyms32.txt", "--uname-release=2.4.27", "-n",
                "-O", blob.toString(), o.toString()}, new PrintStream(out, true), new PrintStream(err, true),
                Map.of("MODULECONFIG", "/dev/null"));
        String e = err.toString(StandardCharsets.ISO_8859_1);
        assertEquals(1, rc, e);
        assertEquals(o + ": dupxa multiply defined\n", e.lines().filter(l -> l.contains("multiply")).findFirst()
                .map(l -> l + "\n").orElse(e));
        assertTrue(!Files.exists(blob), "no -O output after the error");
    }

    /** GNU as --32 of {@code s} into {@code o}; the test is skipped without binutils. */
    private static void assemble(Path s, Path o) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("as", "--32", "-o", o.toString(), s.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "GNU as is not installed (binutils)");
            return;
        }
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "as --32 failed");
    }
}
