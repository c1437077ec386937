package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.elf.Endian;

/**
 * 32-bit PowerPC: GNU ld (powerpc-linux-gnu-ld -m elf32ppc) links the same objects at the
 * addresses of our load map with the kernel symbols in branch range, and every relocated byte
 * must agree; branches out of range must go through .plt stubs that load the symbol's address
 * from the kernel table; what cannot be linked is refused with the symbol or type named.
 */
class PpcLinkTest {
    static final Path DIR = Paths.get("testdata/ppc");
    static final Path ORACLE_OBJ = Paths.get("testdata/oracle/ppc/obj");
    static final String LD = "powerpc-linux-gnu-ld";
    static final String OBJCOPY = "powerpc-linux-gnu-objcopy";
    static final int R_PPC_REL24 = 10;

    @TempDir
    Path tmp;

    static void assumeBinutils() {
        assumeTrue(GnuLd.available(LD) && GnuLd.available(OBJCOPY),
                "GNU binutils for ppc are not installed (Debian package binutils-powerpc-linux-gnu)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello.o", "simple.o", "params.o", "usemod.o", "nolicense.o", "proprietary.o"})
    void recordedObjectsAgreeWithGnuLd(String obj) throws Exception {
        assumeBinutils();
        GnuLd.Comparison c = GnuLd.compare(ORACLE_OBJ.resolve(obj), DIR.resolve("ksyms-near.txt"), "2.4.27", LD,
                OBJCOPY, "elf32ppc", tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), obj + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() > 30, "compared only " + c.bytesCompared() + " bytes");
    }

    @Test
    void everyRelocationTypeAgreesWithGnuLd() throws Exception {
        assumeBinutils();
        GnuLd.Comparison c = GnuLd.compare(DIR.resolve("relocs.o"), DIR.resolve("ksyms-near.txt"), "2.4.27", LD,
                OBJCOPY, "elf32ppc", tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), "relocs.o differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() >= 0x50 + 0x1c + 8, "compared only " + c.bytesCompared() + " bytes\n" + c.map());
    }

    /** Section addresses from a load map printed with -m. */
    static Map<String, Long> sections(String map) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : map.split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 4 && p[3].startsWith("2**")) {
                m.put(p[0], Long.parseUnsignedLong(p[2], 16));
            }
        }
        return m;
    }

    static Map<String, Long> table(Path ksyms) throws Exception {
        Map<String, Long> t = new HashMap<>();
        for (String line : Files.readAllLines(ksyms)) {
            String[] p = line.split("\\s+");
            t.put(p[1], Long.parseUnsignedLong(p[0], 16));
        }
        return t;
    }

    /**
     * With the kernel 2.8 GiB away, every REL24 to it lands on a .plt stub whose lis/addi pair
     * builds the kernel address from the table (plus the addend) and then jumps with mtctr/bctr;
     * branches inside the module stay direct.
     */
    @Test
    void farCallsGoThroughPltStubs() throws Exception {
        Path obj = DIR.resolve("relocs.o");
        Path ksyms = DIR.resolve("ksyms-far.txt");
        Path blob = tmp.resolve("far.bin");
        StringBuilder out = new StringBuilder();
        int rc = Run.insmod(out, "--ksyms=" + ksyms, "--uname-release=2.4.27",
                "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005", "-n", "-m", "-O", blob.toString(), obj.toString());
        assertEquals(0, rc, out.toString());
        Map<String, Long> secs = sections(out.toString());
        byte[] image = Files.readAllBytes(blob);
        long base = secs.get(".this");
        long plt = secs.get(".plt");
        Map<String, Long> kernel = table(ksyms);

        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        int far = 0, near = 0;
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection rs = elf.section(i);
            if (rs.type() != Elf.SHT_RELA) {
                continue;
            }
            String target = elf.section(rs.info()).name();
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rels = elf.relocations(i, syms.count());
            for (int k = 0; k < rels.count(); k++) {
                if (rels.type(k) != R_PPC_REL24) {
                    continue;
                }
                long site = secs.get(target) + rels.offset(k);
                long insn = Endian.word(image, (int) (site - base), 4, true);
                long disp = ((insn & 0x03fffffcL) << 38) >> 38;
                long dest = (site + disp) & 0xffffffffL;
                String name = syms.name()[rels.sym(k)];
                Long kv = kernel.get(name);
                if (kv == null) {
                    near++;
                    continue; // inside the module: checked against ld above
                }
                far++;
                assertTrue(dest >= plt && dest < plt + 0x100 && (dest - plt) % 16 == 0,
                        String.format("branch at 0x%x to %s goes to 0x%x, not into .plt at 0x%x", site, name, dest, plt));
                int at = (int) (dest - base);
                long lis = Endian.word(image, at, 4, true);
                long addi = Endian.word(image, at + 4, 4, true);
                assertEquals(0x3d600000L, lis & 0xffff0000L, "lis r11");
                assertEquals(0x396b0000L, addi & 0xffff0000L, "addi r11,r11");
                long built = ((lis & 0xffff) << 16) + (short) (addi & 0xffff);
                assertEquals((kv + rels.addend(k)) & 0xffffffffL, built & 0xffffffffL, "stub target for " + name);
                assertEquals(0x7d6903a6L, Endian.word(image, at + 8, 4, true), "mtctr r11");
                assertEquals(0x4e800420L, Endian.word(image, at + 12, 4, true), "bctr");
            }
        }
        assertEquals(3, far, "REL24 to the kernel");
        assertEquals(2, near, "REL24 inside the module");
        // One stub per distinct (symbol, addend) branched to: kfunc, kfunc+8, helper.
        assertTrue(out.toString().contains(".plt            00000030"), out.toString());
    }

    @Test
    void conditionalBranchOutOfRangeNamesTheSymbol() throws Exception {
        PpcLoads.Load l = PpcLoads.load(DIR.resolve("far-rel14.o"), DIR.resolve("ksyms-far.txt"), 0xc8800000L, false);
        assertEquals(1, l.status());
        assertTrue(l.errors().stream().anyMatch(e -> e.contains("Relocation overflow") && e.contains("kfunc")),
                l.errors().toString());
        assertEquals(null, l.image(), "nothing may be handed to init_module");
    }

    @Test
    void unknownTypeIsRefusedByName() throws Exception {
        PpcLoads.Load l = PpcLoads.load(DIR.resolve("got16.o"), DIR.resolve("ksyms-far.txt"), 0xc8800000L, false);
        assertEquals(1, l.status());
        assertTrue(l.errors().stream().anyMatch(e -> e.contains("R_PPC_GOT16") && e.contains("type 14")),
                l.errors().toString());
    }

    /** A real load at a kernel address: the REL24 to the kernel is in range and goes direct. */
    @Test
    void realLoadNearTheKernelBranchesDirectly() throws Exception {
        long at = 0xc0200000L;
        PpcLoads.Load l = PpcLoads.load(DIR.resolve("relocs.o"), DIR.resolve("ksyms-far.txt"), at, false);
        assertEquals(0, l.status(), l.errors().toString());
        // init_module's first call (offset 0x18 in .text, which follows the 0x60-byte .this).
        long site = at + 0x60 + 0x18;
        long insn = Endian.word(l.image(), 0x60 + 0x18, 4, true);
        long disp = ((insn & 0x03fffffcL) << 38) >> 38;
        assertEquals(0xc0118f20L, (site + disp) & 0xffffffffL);
    }

    @Test
    void archdataHoldsFtrFixup() throws Exception {
        Path blob = tmp.resolve("ftr.bin");
        StringBuilder out = new StringBuilder();
        int rc = Run.insmod(out, "--ksyms=" + DIR.resolve("ksyms-far.txt"), "--uname-release=2.4.27",
                "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005", "-n", "-m", "-O", blob.toString(),
                DIR.resolve("ftr.o").toString());
        assertEquals(0, rc, out.toString());
        Map<String, Long> secs = sections(out.toString());
        assertTrue(out.toString().contains("__archdata      00000008"), out.toString());
        byte[] image = Files.readAllBytes(blob);
        int ad = (int) (secs.get("__archdata") - secs.get(".this"));
        long ftr = secs.get("__ftr_fixup");
        assertEquals(ftr, Endian.word(image, ad, 4, true));
        assertEquals(ftr + 24, Endian.word(image, ad + 4, 4, true));
    }
}
