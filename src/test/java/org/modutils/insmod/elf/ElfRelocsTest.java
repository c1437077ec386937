package org.modutils.insmod.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compact relocation store and the piecewise file reader give back exactly what GNU
 * readelf decodes from the same file: every relocation of one recorded object per
 * architecture, read from the file in place and from an array, and entries whose offset, type
 * and addend do not fit the narrow columns.
 */
class ElfRelocsTest {
    /** One relocation as readelf -rW prints it: raw r_offset and r_info, and the addend (RELA). */
    record Row(long offset, long info, Long addend) {}

    /** The relocation sections of {@code obj} by name, in file order, as readelf decodes them. */
    static java.util.Map<String, List<Row>> readelf(Path obj) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("readelf", "-rW", obj.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "readelf is not installed (GNU binutils, Debian package binutils): " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor(), out);
        java.util.Map<String, List<Row>> sections = new java.util.LinkedHashMap<>();
        List<Row> cur = null;
        boolean rela = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("Relocation section '")) {
                String name = line.substring(20, line.indexOf('\'', 20));
                cur = new ArrayList<>();
                sections.put(name, cur);
                rela = name.startsWith(".rela");
                continue;
            }
            String[] t = line.trim().split("\\s+");
            if (cur == null || t.length < 3 || !t[0].matches("[0-9a-f]+") || !t[1].matches("[0-9a-f]+")) {
                continue;
            }
            Long addend = null;
            // Alpha's LITUSE shows its addend as a name, "(JSR)": the other columns are compared.
            if (rela && !t[t.length - 1].startsWith("(")) {
                String last = t[t.length - 1];
                String sign = t.length >= 2 ? t[t.length - 2] : "";
                long v = Long.parseUnsignedLong(last, 16);
                addend = sign.equals("-") ? -v : v;
            }
            cur.add(new Row(Long.parseUnsignedLong(t[0], 16), Long.parseUnsignedLong(t[1], 16), addend));
        }
        return sections;
    }

    /** Every relocation section of {@code elf} matches readelf's rows for the same file. */
    static int compare(ElfFile elf, java.util.Map<String, List<Row>> expected) throws ElfException {
        int checked = 0;
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if (s.type() != Elf.SHT_REL && s.type() != Elf.SHT_RELA) {
                continue;
            }
            List<Row> rows = expected.get(s.name());
            assertTrue(rows != null, "readelf has no section " + s.name());
            ElfRelocs r = elf.relocations(i, elf.symbols(s.link()).count());
            assertEquals(rows.size(), r.count(), s.name());
            for (int k = 0; k < r.count(); k++) {
                Row row = rows.get(k);
                String at = elf.fileName() + " " + s.name() + "[" + k + "]";
                long mask = elf.is64() ? -1L : 0xffffffffL;
                assertEquals(row.offset(), r.offset(k), at + " offset");
                long info = elf.is64() ? (long) r.sym(k) << 32 | (r.type(k) & 0xffffffffL)
                        : (long) r.sym(k) << 8 | r.type(k);
                assertEquals(row.info(), info, at + " info");
                if (row.addend() != null) {
                    assertEquals(row.addend() & mask, r.addend(k) & mask, at + " addend");
                }
                checked++;
            }
        }
        return checked;
    }

    @TestFactory
    Stream<DynamicTest> everyArchitectureDecodesAsReadelfDoes() throws IOException {
        try (Stream<Path> dirs = Files.list(Paths.get("testdata/oracle"))) {
            return dirs.map(d -> d.resolve("obj/hello.o")).filter(Files::isRegularFile).sorted().toList().stream()
                    .map(obj -> DynamicTest.dynamicTest(obj.toString(), () -> {
                        var expected = readelf(obj);
                        int fromArray = compare(ElfFile.parse(obj.toString(), Files.readAllBytes(obj)), expected);
                        int fromFile;
                        try (ElfSource src = ElfSource.open(obj)) {
                            fromFile = compare(ElfFile.parse(obj.toString(), src), expected);
                        }
                        assertTrue(fromArray > 0, obj + ": no relocations compared");
                        assertEquals(fromArray, fromFile);
                    }));
        }
    }

    @Test
    void wideOffsetsTypesAndAddendsKeepTheirValue(@TempDir Path dir) throws Exception {
        // The x86_64 hello object, its .rela.data (applied to a section insmod would load, but
        // the reader does not care) rewritten: an offset above 4 GiB, a type above 12 bits and an
        // addend above 32 bits, in the second entry, so that the first must be widened too.
        Path src = Paths.get("testdata/oracle/x86_64/obj/hello.o");
        byte[] b = Files.readAllBytes(src);
        ElfFile elf = ElfFile.parse("hello.o", b);
        ElfSection rela = null;
        for (int i = 0; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(".rela.data")) {
                rela = elf.section(i);
            }
        }
        assertTrue(rela != null && rela.size() >= 48);
        int e = (int) rela.offset() + 24;
        Endian.putWord(b, e, 8, 0x123456789aL, false);
        Endian.putWord(b, e + 8, 8, (long) 1 << 32 | 0x12345L, false);
        Endian.putWord(b, e + 16, 8, -0x987654321L, false);
        Path patched = dir.resolve("wide.o");
        Files.write(patched, b);
        var expected = readelf(patched);
        assertEquals(0x123456789aL, expected.get(".rela.data").get(1).offset(), "readelf sees the patch");
        assertTrue(compare(ElfFile.parse(patched.toString(), b), expected) > 0);
        try (ElfSource file = ElfSource.open(patched)) {
            ElfFile f = ElfFile.parse(patched.toString(), file);
            int i = 0;
            while (!f.section(i).name().equals(".rela.data")) {
                i++;
            }
            ElfRelocs r = f.relocations(i, f.symbols(f.section(i).link()).count());
            assertEquals(0x123456789aL, r.offset(1));
            assertEquals(0x12345, r.type(1));
            assertEquals(1, r.sym(1));
            assertEquals(-0x987654321L, r.addend(1));
            assertEquals(0, r.offset(0));
            assertEquals(1, r.type(0));
        }
    }
}
