package org.modutils.insmod.arch;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.Endian;

/**
 * Helpers for the hand-assembled objects of testdata/arch-asm (made by its make.sh): a kernel
 * symbol table, one insmod run, and reading the image back through the load map.
 */
final class AsmObjects {
    private AsmObjects() {}

    static final Path DIR = Paths.get("testdata/arch-asm");
    static final String RELEASE = "2.4.27";

    record Run(int rc, String out, String err, byte[] image, Map<String, long[]> sections,
               Map<String, Long> symbols, boolean bigEndian) {
        long base() {
            return sections.get(".this")[0];
        }

        long word(long addr) {
            return Endian.u32(image, (int) (addr - base()), bigEndian);
        }

        long addr(String section) {
            long[] s = sections.get(section);
            if (s == null) {
                throw new AssertionError("no section " + section + " in the map:\n" + out);
            }
            return s[0];
        }

        long sym(String name) {
            Long v = symbols.get(name);
            if (v == null) {
                throw new AssertionError("no symbol " + name + " in the map:\n" + out);
            }
            return v;
        }
    }

    static Path ksyms(Path dir, Map<String, Long> table) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Long> e : table.entrySet()) {
            lines.add(String.format("%08x %s", e.getValue(), e.getKey()));
        }
        Path p = dir.resolve("ksyms.txt");
        Files.write(p, lines);
        return p;
    }

    /** insmod -n -m -O against {@code table}. */
    static Run insmod(Path dir, Path obj, Map<String, Long> table, boolean bigEndian) throws Exception {
        Path blob = dir.resolve("blob.bin");
        Files.deleteIfExists(blob);
        String[] argv = {"--ksyms=" + ksyms(dir, table), "--uname-release=" + RELEASE,
                "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005", "-n", "-m", "-O", blob.toString(), obj.toString()};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of());
        String map = out.toString(StandardCharsets.ISO_8859_1);
        Map<String, long[]> sections = new LinkedHashMap<>();
        Map<String, Long> symbols = new LinkedHashMap<>();
        boolean inSymbols = false;
        for (String line : map.split("\n")) {
            if (line.startsWith("Symbols:")) {
                inSymbols = true;
                continue;
            }
            String[] p = line.trim().split("\\s+");
            if (!inSymbols && p.length == 4 && p[3].startsWith("2**")) {
                sections.put(p[0], new long[] {Long.parseUnsignedLong(p[2], 16), Long.parseUnsignedLong(p[1], 16)});
            } else if (inSymbols && p.length == 3) {
                symbols.putIfAbsent(p[2], Long.parseUnsignedLong(p[0], 16));
            }
        }
        byte[] image = Files.exists(blob) ? Files.readAllBytes(blob) : new byte[0];
        return new Run(rc, map, err.toString(StandardCharsets.ISO_8859_1), image, sections, symbols, bigEndian);
    }
}
