package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;

/**
 * S/390 31-bit has no recorded cases of the original, so testdata/s390/relocs.o (made by
 * testdata/s390/build.sh with binutils-s390x-linux-gnu, -m31) exercises every relocation type
 * insmod links there and GNU ld (ld -m elf_s390) links the same object at the addresses of our load
 * map. Fields ld and insmod encode differently are compared by meaning: a PLT call must reach, through
 * insmod's stub, the address ld calls directly; a GOT offset or GOT-relative address must name a slot
 * holding what ld's slot holds; GOTPC/GOTOFF must be relative to each linker's own GOT.
 */
class S390LinkTest {
    static final Path DIR = Paths.get("testdata/s390");
    static final String LD = "s390x-linux-gnu-ld", OBJCOPY = "s390x-linux-gnu-objcopy";

    @TempDir
    Path tmp;

    /** One relocation of the test object. */
    record Rel(String section, long offset, int type, String sym, long addend) {}

    static List<Rel> relocations(Path obj) throws Exception {
        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        List<Rel> out = new ArrayList<>();
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if (s.type() != Elf.SHT_RELA) {
                continue;
            }
            ElfSymbols syms = elf.symbols(s.link());
            ElfRelocs r = elf.relocations(i, syms.count());
            String target = elf.section(s.info()).name();
            for (int k = 0; k < r.count(); k++) {
                int sx = r.sym(k);
                String name = syms.name()[sx];
                if (name.isEmpty() && sx != 0) {
                    name = elf.section(syms.shndx()[sx]).name();
                }
                out.add(new Rel(target, r.offset(k), r.type(k), name, r.addend(k)));
            }
        }
        return out;
    }

    static long be(byte[] b, int off, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    static long sext(long v, int bits) {
        return (v << (64 - bits)) >> (64 - bits);
    }

    static final int PC16 = 16, PC16DBL = 17, PLT16DBL = 18, PLT32 = 8, PLT32DBL = 20, GOT12 = 6, GOT16 = 15,
            GOT32 = 7, GOT20 = 58, GOTENT = 26, GOTPC = 14, GOTPCDBL = 21, GOTOFF32 = 13, GOTOFF16 = 27,
            GOTPLT12 = 29, GOTPLT16 = 30, GOTPLT32 = 31, GOTPLTENT = 33, GOTPLT20 = 59, RELATIVE = 12;

    /** What a field means, for the types insmod and ld encode differently (null: compare bytes). */
    static Long meaning(Rel r, long p, byte[] field, int at, long got, GnuLd.Linked l, boolean ours) throws Exception {
        switch (r.type()) {
            case PLT16DBL:
            case PLT32DBL:
            case PLT32: {
                long target = r.type() == PLT32 ? sext(be(field, at, 4), 32) + p - r.addend()
                        : sext(be(field, at, r.type() == PLT16DBL ? 2 : 4), r.type() == PLT16DBL ? 16 : 32) * 2 + p
                                - r.addend();
                target &= 0xffffffffL;
                if (!ours) {
                    return target;
                }
                long[] plt = l.sections().get(".plt");
                assertNotNull(plt, "insmod made no .plt");
                assertTrue(target >= plt[0] && target + 12 <= plt[0] + plt[1], r + ": call to 0x"
                        + Long.toHexString(target) + " is not into insmod's .plt");
                byte[] stub = l.ourBytes(target, 12);
                assertEquals(0x0d105810L, be(stub, 0, 4), r + ": PLT stub code");
                assertEquals(0x100607f1L, be(stub, 4, 4), r + ": PLT stub code");
                return be(stub, 8, 4);
            }
            case GOT12:
            case GOTPLT12:
            case GOT16:
            case GOTPLT16:
            case GOT32:
            case GOTPLT32:
            case GOT20:
            case GOTPLT20: {
                long g;
                if (r.type() == GOT12 || r.type() == GOTPLT12) {
                    g = be(field, at, 2) & 0xfff;
                } else if (r.type() == GOT20 || r.type() == GOTPLT20) {
                    long w = be(field, at, 4);
                    g = sext(((w >> 16) & 0xfff) | ((w & 0xff00) << 4), 20);
                } else {
                    int size = r.type() == GOT16 || r.type() == GOTPLT16 ? 2 : 4;
                    g = be(field, at, size);
                }
                return slot(l, got + g - r.addend(), ours);
            }
            case GOTENT:
            case GOTPLTENT:
                return slot(l, sext(be(field, at, 4), 32) * 2 + p - r.addend(), ours);
            case GOTPC:
                assertEquals(got, (sext(be(field, at, 4), 32) + p - r.addend()) & 0xffffffffL, r + ": GOT address");
                return 0L;
            case GOTPCDBL:
                assertEquals(got, (sext(be(field, at, 4), 32) * 2 + p - r.addend()) & 0xffffffffL, r + ": GOT address");
                return 0L;
            case GOTOFF32:
                return (be(field, at, 4) + got) & 0xffffffffL;
            case GOTOFF16:
                return (sext(be(field, at, 2), 16) + got) & 0xffffffffL;
            default:
                return null;
        }
    }

    /** The contents of the GOT slot at {@code addr}, in our image or in ld's output. */
    static long slot(GnuLd.Linked l, long addr, boolean ours) {
        addr &= 0xffffffffL;
        byte[] b = ours ? l.ourBytes(addr, 4) : l.ldBytes(addr, 4);
        assertNotNull(b, "no GOT slot at 0x" + Long.toHexString(addr));
        return be(b, 0, 4);
    }

    static int fieldSize(int type) {
        switch (type) {
            case PLT16DBL: case GOT12: case GOTPLT12: case GOT16: case GOTPLT16: case GOTOFF16: case PC16: case PC16DBL:
                return 2;
            default:
                return 4;
        }
    }

    @Test
    void everyRelocationAgreesWithGnuLd() throws Exception {
        assumeTrue(GnuLd.available(LD), "GNU ld for s390 is not installed (Debian package binutils-s390x-linux-gnu)");
        assumeTrue(GnuLd.available(OBJCOPY), "objcopy for s390 is not installed (binutils-s390x-linux-gnu)");
        Path obj = DIR.resolve("relocs.o");
        List<Rel> rels = relocations(obj);
        Set<Integer> checked = new TreeSet<>();
        String gotScript = "  .got 0x12344000 : { *(.got.plt) *(.igot.plt) *(.got) *(.igot) }\n"
                + "  .plt 0x12345000 : { *(.plt) *(.iplt) }\n";
        GnuLd.Comparison c = GnuLd.compare(obj, DIR.resolve("ksyms31.txt"), "2.4.27", LD, OBJCOPY, "elf_s390",
                tmp.resolve("work"), gotScript, (section, addr, ours, theirs, l) -> {
                    Long ourGot = l.symbols().get("_GLOBAL_OFFSET_TABLE_");
                    Long ldGot = l.ldSymbol("_GLOBAL_OFFSET_TABLE_");
                    for (Rel r : rels) {
                        if (!r.section().equals(section)) {
                            continue;
                        }
                        int at = (int) r.offset();
                        long p = addr + r.offset();
                        int size = fieldSize(r.type());
                        if (r.type() == RELATIVE) {
                            // ld does not apply dynamic relocations; the psABI's B + A.
                            assertEquals((l.base() + r.addend()) & 0xffffffffL, be(ours, at, 4), r.toString());
                            System.arraycopy(theirs, at, ours, at, 4);
                            checked.add(r.type());
                            continue;
                        }
                        Long mine = meaning(r, p, ours, at, ourGot == null ? 0 : ourGot, l, true);
                        if (mine == null) {
                            checked.add(r.type());
                            continue; // compared byte for byte
                        }
                        assertNotNull(ldGot, "ld made no GOT");
                        Long ldMeaning = meaning(r, p, theirs, at, ldGot, l, false);
                        assertEquals(ldMeaning, mine, r + " means 0x" + Long.toHexString(mine) + " in insmod's image, 0x"
                                + Long.toHexString(ldMeaning) + " in ld's");
                        // The bits outside the field must still agree byte for byte.
                        if (r.type() == GOT12 || r.type() == GOTPLT12) {
                            ours[at] = (byte) ((ours[at] & 0xf0) | (theirs[at] & 0x0f));
                            ours[at + 1] = theirs[at + 1];
                        } else if (r.type() == GOT20 || r.type() == GOTPLT20) {
                            ours[at] = (byte) ((ours[at] & 0xf0) | (theirs[at] & 0x0f));
                            ours[at + 1] = theirs[at + 1];
                            ours[at + 2] = theirs[at + 2];
                        } else {
                            System.arraycopy(theirs, at, ours, at, size);
                        }
                        checked.add(r.type());
                    }
                });
        assertTrue(c.differences().isEmpty(), "relocs.o differs from GNU ld:\n" + String.join("\n", c.differences())
                + "\n" + c.map());
        assertTrue(c.bytesCompared() > 100, "compared only " + c.bytesCompared() + " bytes");
        // The types the original handled on s390, and those gcc emits for z900 and later.
        Set<Integer> expected = new TreeSet<>(List.of(1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 26, 2, 57, 58, 27, 29, 30, 31, 33));
        assertEquals(expected, checked, "relocation types compared");
    }

    static String[] run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of());
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.ISO_8859_1),
                err.toString(StandardCharsets.ISO_8859_1)};
    }

    /** Relocation types the original never learned and we do not apply are refused by name, not crashed on. */
    @Test
    void refusesUnknownTypesByName() throws Exception {
        Path obj = DIR.resolve("refused.o");
        String[] r = run("--ksyms=" + DIR.resolve("ksyms31.txt"), "--uname-release=2.4.27", "-n", "-O",
                tmp.resolve("blob").toString(), obj.toString());
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("Unhandled relocation of type 64 for lfunc (R_390_PC24DBL is not supported in 31-bit modules)"), r[2]);
        assertTrue(r[2].contains("Unhandled relocation of type 50 for kvar (R_390_TLS_* (50) is not supported in 31-bit modules)"), r[2]);
    }

    /** bras to the kernel cannot reach: truncated at the -n dummy base as the original did, an error naming the symbol for a real kernel. */
    @Test
    void outOfRangeBranchIsAnErrorForARealKernel() throws Exception {
        Path obj = DIR.resolve("range.o");
        RealLoad.Outcome real = RealLoad.load(obj, DIR.resolve("ksyms31.txt"), 0x10000000L);
        assertEquals(1, real.status(), real.errors().toString());
        assertTrue(real.errors().stream().anyMatch(e -> e.startsWith("Relocation overflow of type 17 for printk")),
                real.errors().toString());
        String[] dummy = run("--ksyms=" + DIR.resolve("ksyms31.txt"), "--uname-release=2.4.27", "-n", "-O",
                tmp.resolve("blob").toString(), obj.toString());
        assertEquals("0", dummy[0], dummy[2]);
    }

    /** The relocation test module links for a real kernel too (everything in range). */
    @Test
    void relocsLinkForARealKernel() throws Exception {
        RealLoad.Outcome real = RealLoad.load(DIR.resolve("relocs.o"), DIR.resolve("ksyms31.txt"), 0x10000000L);
        assertEquals(0, real.status(), real.errors().toString());
    }
}
