package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.elf.Endian;

/**
 * kallsyms on a linked kernel-like executable: GNU readelf must see a relocatable object with
 * one loaded section __kallsyms, and the symbols in it must be exactly those GNU nm lists in
 * the executable's loaded sections, at nm's addresses, sorted by address then name.
 */
class KallsymsTest {
    @TempDir
    Path tmp;

    private static final String SOURCE = "int counter = 3;\nstatic int hidden;\nchar buf[100];\n"
            + "const char banner[] = \"Linux\";\n"
            + "void _start(void) { hidden++; counter++; for (;;) ; }\n"
            + "int helper(int x) { return x + hidden + banner[0]; }\n";

    @ParameterizedTest
    @ValueSource(strings = {"gcc", "i686-linux-gnu-gcc"})
    void symbolsAreNmsSymbols(String cc) throws Exception {
        assumeTrue(Run.have(cc), cc + " not installed");
        assumeTrue(Run.have("nm") && Run.have("readelf"), "GNU binutils (nm, readelf) not installed");
        Path src = tmp.resolve("k.c");
        Files.writeString(src, SOURCE);
        Path vmlinux = tmp.resolve("vmlinux");
        Run.check(cc, "-O1", "-nostdlib", "-static", "-no-pie", "-fno-pic", "-fno-asynchronous-unwind-tables",
                "-Wl,--build-id=none", "-o", vmlinux.toString(), src.toString());
        FakeLegacyKernel k = new FakeLegacyKernel();
        FakeLegacyKernel.Run r = k.run(Kallsyms::run, vmlinux.toString());
        assertEquals(0, r.rc(), r.err());
        byte[] obj = r.out().getBytes(StandardCharsets.ISO_8859_1);
        Path out = tmp.resolve("kallsyms.o");
        Files.write(out, obj);

        String header = Run.check("readelf", "-h", out.toString());
        assertTrue(header.contains("REL (Relocatable file)"), header);
        String sections = Run.check("readelf", "-S", "-W", out.toString());
        assertTrue(sections.matches("(?s).*\\[ 2] __kallsyms +PROGBITS .* A .*"), sections);

        List<String[]> ours = decode(obj);
        Set<String> expected = new TreeSet<>();
        for (String l : Run.check("nm", "--defined-only", vmlinux.toString()).split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length == 3 && "TtDdBbRr".indexOf(f[1].charAt(0)) >= 0) {
                expected.add(Long.parseUnsignedLong(f[0], 16) + " " + f[2]);
            }
        }
        Set<String> got = new TreeSet<>();
        long last = Long.MIN_VALUE;
        for (String[] s : ours) {
            long a = Long.parseLong(s[0]);
            assertTrue(Long.compareUnsigned(last, a) <= 0 || last == Long.MIN_VALUE, "sorted by address");
            last = a;
            if (!s[1].startsWith(".")) {                 // section symbols carry their section's name
                got.add(a + " " + s[1]);
            }
        }
        assertEquals(expected, got);
        assertTrue(expected.size() >= 5, expected.toString());
    }

    /** The __kallsyms section's symbols as {address, name}, read by the documented layout. */
    private static List<String[]> decode(byte[] o) {
        boolean w = o[4] == 2;
        int shoff = (int) (w ? Endian.u64(o, 40, false) : Endian.u32(o, 32, false));
        int shent = w ? 64 : 40;
        int sec = shoff + 2 * shent;
        int off = (int) (w ? Endian.u64(o, sec + 24, false) : Endian.u32(o, sec + 16, false));
        int ws = w ? 8 : 4;
        int nsym = (int) Endian.u32(o, off + (w ? 28 : 20), false);
        long symOff = w ? Endian.u64(o, off + 32, false) : Endian.u32(o, off + 24, false);
        long strOff = w ? Endian.u64(o, off + 48, false) : Endian.u32(o, off + 32, false);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < nsym; i++) {
            int e = off + (int) symOff + i * 3 * ws;
            long addr = Endian.word(o, e + ws, ws, false);
            int name = off + (int) strOff + (int) Endian.word(o, e + 2 * ws, ws, false);
            int end = name;
            while (o[end] != 0) {
                end++;
            }
            out.add(new String[] {Long.toString(addr), new String(o, name, end - name, StandardCharsets.ISO_8859_1)});
        }
        return out;
    }

    @org.junit.jupiter.api.Test
    void badInputIsOneLine() throws IOException {
        FakeLegacyKernel k = new FakeLegacyKernel();
        FakeLegacyKernel.Run missing = k.run(Kallsyms::run, tmp.resolve("nope").toString());
        assertEquals(1, missing.rc());
        assertEquals("", missing.out());
        assertEquals(1, missing.err().lines().count(), missing.err());
        Path obj = tmp.resolve("hello.o");
        Files.copy(Path.of("testdata/oracle/i386/obj/hello.o"), obj);
        FakeLegacyKernel.Run rel = k.run(Kallsyms::run, obj.toString());
        assertEquals(1, rel.rc());
        assertEquals(obj + ": ELF file " + obj + " not an executable\n", rel.err());
        assertEquals("", rel.out());
        FakeLegacyKernel.Run none = k.run(Kallsyms::run);
        assertEquals(1, none.rc());
        assertEquals(Kallsyms.USAGE, none.err());
    }

    /** Runs a program and returns its standard output. */
    static final class Run {
        static boolean have(String prog) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (Files.isExecutable(Path.of(dir, prog))) {
                    return true;
                }
            }
            return false;
        }

        static String check(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
            return out;
        }
    }
}
