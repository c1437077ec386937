package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.Endian;

/**
 * The assembled object of testdata/arch-alpha (make.sh) uses every relocation type our alpha
 * target applies; GNU ld (alpha-linux-gnu-ld) links it with every section, and its own .got, at
 * the addresses of our load map, so both have the same GP. All bytes must agree, except that
 * the two linkers may order GOT entries differently: for R_ALPHA_LITERAL the GOT slot each
 * instruction addresses must hold the same value in both.
 */
class AlphaLinkTest {
    static final Path TESTDATA = Paths.get("testdata/arch-alpha");
    static final String LD = "alpha-linux-gnu-ld";
    static final int R_ALPHA_LITERAL = 4;

    @TempDir
    Path tmp;

    @Test
    void everyRelocationTypeAgreesWithGnuLd() throws Exception {
        assumeTrue(GnuLd.available(LD), "GNU ld for alpha is not installed (Debian binutils-alpha-linux-gnu)");
        Path obj = TESTDATA.resolve("relocs.o");
        Path work = tmp.resolve("work");
        GnuLd.Comparison c = GnuLd.compare(obj, TESTDATA.resolve("ksyms.txt"), "2.4.20", LD,
                "alpha-linux-gnu-objcopy", null, Set.of(".text"), Set.of(".got"), work);
        assertTrue(c.differences().isEmpty(), "differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() >= 0x30 + 0x20, "compared only " + c.bytesCompared() + " bytes");

        // .text: every byte but the displacement of a LITERAL load, which is compared by meaning.
        byte[] image = Files.readAllBytes(work.resolve("blob.bin"));
        ElfFile linked = ElfFile.parse("linked.elf", Files.readAllBytes(work.resolve("linked.elf")));
        ElfFile in = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        long base = address(c.map(), ".this");
        long text = address(c.map(), ".text");
        long got = address(c.map(), ".got");
        ElfSection ldText = section(linked, ".text");
        ElfSection ldGot = section(linked, ".got");
        assertEquals(text, ldText.addr());
        assertEquals(got, ldGot.addr(), "ld's .got must be where ours is (same GP)");
        byte[] theirs = linked.sectionData(ldText.index());
        byte[] theirGot = linked.sectionData(ldGot.index());
        Set<Long> literal = new HashSet<>();
        for (int i = 0; i < in.sectionCount(); i++) {
            ElfSection s = in.section(i);
            if (s.type() == Elf.SHT_RELA && in.section(s.info()).name().equals(".text")) {
                ElfRelocs rels = in.relocations(i, in.symbols(s.link()).count());
                for (int k = 0; k < rels.count(); k++) {
                    if (rels.type(k) == R_ALPHA_LITERAL) {
                        literal.add(rels.offset(k));
                    }
                }
            }
        }
        assertEquals(5, literal.size());
        long gp = got + 0x8000;
        int off = (int) (text - base);
        for (int k = 0; k < ldText.size(); k++) {
            if (literal.contains((long) (k & ~3)) && (k & 3) < 2) {
                continue;
            }
            assertEquals(theirs[k], image[off + k], String.format(".text+0x%x", k));
        }
        for (long at : literal) {
            long ours = gp + (short) Endian.word(image, (int) (off + at), 2, false);
            long ldSlot = gp + (short) Endian.word(theirs, (int) at, 2, false);
            long ourValue = Endian.word(image, (int) (ours - base), 8, false);
            long ldValue = Endian.word(theirGot, (int) (ldSlot - got), 8, false);
            assertEquals(ldValue, ourValue, String.format("GOT value for the LITERAL at .text+0x%x", at));
        }
    }

    @Test
    void farBranchAndSameGpBranchAreErrorsNamingTheSymbol() {
        MipsLinkTest.Run r = MipsLinkTest.insmod(TESTDATA.resolve("errors.o"), TESTDATA.resolve("ksyms.txt"));
        assertEquals(1, r.rc());
        String f = TESTDATA.resolve("errors.o").toString();
        assertEquals(f + ": Relocation overflow of type 7 for ext_func (R_ALPHA_BRADDR from 0x123400c0 cannot reach"
                + " 0xfffffc0000456780 (beyond 4 MiB))\n"
                + f + ": Unhandled relocation of type 28 for cleanup_module (R_ALPHA_BRSGP (bsr to a same-GP function)"
                + " is not supported)\n", r.err());
    }

    @Test
    void gpIsInStructModuleAfterExTableEnd() throws Exception {
        Path blob = tmp.resolve("gp.bin");
        MipsLinkTest.Run r = MipsLinkTest.insmod(TESTDATA.resolve("relocs.o"), TESTDATA.resolve("ksyms.txt"), "-O",
                blob.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains(".this           000000c0"), r.out());
        byte[] image = Files.readAllBytes(blob);
        assertEquals(0xc0, Endian.word(image, 0, 8, false), "size_of_struct");
        assertEquals(address(r.out(), ".got") + 0x8000, Endian.word(image, 112, 8, false), "gp");
    }

    static long address(String map, String section) {
        for (String line : map.split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 4 && p[0].equals(section) && p[3].startsWith("2**")) {
                return Long.parseUnsignedLong(p[2], 16);
            }
        }
        throw new AssertionError(section + " not in the map:\n" + map);
    }

    static ElfSection section(ElfFile f, String name) {
        for (int i = 0; i < f.sectionCount(); i++) {
            if (f.section(i).name().equals(name)) {
                return f.section(i);
            }
        }
        assertNotNull(null, name + " not in GNU ld's output");
        return null;
    }
}
