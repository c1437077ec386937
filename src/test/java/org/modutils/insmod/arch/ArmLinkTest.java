package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.elf.Endian;

/**
 * The real GP2X "warm" modules (testdata/corpus-arm, built for 2.4.25 and 2.4.26-open2x with
 * R_ARM_PC24 calls) link against a synthesized table of the kernel symbols they need, and agree
 * with GNU ld (arm-linux-gnueabi-ld) placing the same sections at the addresses of our load map.
 *
 * <p>With the kernel symbols within branch reach every byte must agree. With them at real ARM
 * kernel addresses (0xc00xxxxx, out of reach of a 24-bit branch from 0x12340000) ld can only
 * truncate the calls, while insmod sends them through its .plt stubs: every other byte must
 * still agree, and each such call must reach a stub {@code ldr pc,[pc,#-4]; .word S} whose word
 * is the symbol's value.
 */
class ArmLinkTest {
    static final Path DIR = Paths.get("testdata/corpus-arm/gp2x-warm-notaz");
    static final String LD = "arm-linux-gnueabi-ld";
    static final String OBJCOPY = "arm-linux-gnueabi-objcopy";

    @TempDir
    Path tmp;

    /** The 13 kernel symbols the two modules need (../shared/corpus derived list). */
    static final List<String> KERNEL = List.of("__arch_copy_from_user", "__arch_copy_to_user", "__const_delay",
            "__memzero", "create_proc_entry", "max_mapnr", "printk", "remove_proc_entry", "seq_lseek", "seq_printf",
            "seq_read", "single_open", "single_release");

    static Map<String, Long> table(long base) {
        Map<String, Long> t = new LinkedHashMap<>();
        long a = base;
        for (String n : KERNEL) {
            t.put(n, a);
            a += 0x1a4; // word aligned, distinct
        }
        return t;
    }

    Path ksyms(Map<String, Long> t) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Long> e : t.entrySet()) {
            lines.add(String.format("%08x %s", e.getValue(), e.getKey()));
        }
        Path p = tmp.resolve("ksyms.txt");
        Files.write(p, lines);
        return p;
    }

    static void assumeBinutils() {
        assumeTrue(GnuLd.available(LD), "GNU ld for ARM is not installed (Debian package binutils-arm-linux-gnueabi)");
        assumeTrue(GnuLd.available(OBJCOPY), "objcopy for ARM is not installed (binutils-arm-linux-gnueabi)");
    }

    @ParameterizedTest
    @CsvSource({"warm_2.4.25.o, 2.4.25", "warm_2.4.26-open2x.o, 2.4.26-open2x"})
    void inReachAgreesByteForByte(String module, String release) throws Exception {
        assumeBinutils();
        // 0x12000000.. is within 32 MiB of the -n base 0x12340000: every call goes straight.
        GnuLd.Comparison c = GnuLd.compare(DIR.resolve(module), ksyms(table(0x12000000L)), release, LD, OBJCOPY,
                null, tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), module + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() > 3000, "compared only " + c.bytesCompared() + " bytes");
        assertTrue(c.map().contains("\n.plt "), "PC24 relocations make a .plt:\n" + c.map());
    }

    @ParameterizedTest
    @CsvSource({"warm_2.4.25.o, 2.4.25", "warm_2.4.26-open2x.o, 2.4.26-open2x"})
    void outOfReachGoesThroughPltStubs(String module, String release) throws Exception {
        assumeBinutils();
        Map<String, Long> t = table(0xc0020000L);
        Path obj = DIR.resolve(module);
        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));

        // The words of branch relocations against kernel symbols: section name -> offsets.
        Map<String, Set<Long>> farCalls = new HashMap<>();
        Map<String, Map<Long, String>> callee = new HashMap<>();
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection rs = elf.section(i);
            if (rs.type() != Elf.SHT_REL) {
                continue;
            }
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rels = elf.relocations(i, syms.count());
            String target = elf.section(rs.info()).name();
            for (int k = 0; k < rels.count(); k++) {
                String name = syms.name()[rels.sym(k)];
                if (rels.type(k) == Arm.R_ARM_PC24 && t.containsKey(name)) {
                    farCalls.computeIfAbsent(target, x -> new TreeSet<>()).add(rels.offset(k));
                    callee.computeIfAbsent(target, x -> new HashMap<>()).put(rels.offset(k), name);
                }
            }
        }
        assertTrue(farCalls.getOrDefault(".text", Set.of()).size() > 30, "expected many calls into the kernel");

        GnuLd.Comparison c = GnuLd.compareExcept(obj, ksyms(t), release, LD, OBJCOPY, null, List.of(),
                tmp.resolve("work"),
                (sec, off) -> farCalls.getOrDefault(sec, Set.of()).contains(off & ~3L), new String[0]);
        assertTrue(c.differences().isEmpty(), module + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() > 3000, "compared only " + c.bytesCompared() + " bytes");

        // By meaning: each far call is a BL into .plt, whose stub loads the callee's address.
        Map<String, long[]> sections = mapSections(c.map());
        byte[] image = Files.readAllBytes(tmp.resolve("work/blob.bin"));
        long base = sections.get(".this")[0];
        long[] plt = sections.get(".plt");
        assertNotNull(plt, "no .plt in the map");
        Set<String> stubsSeen = new HashSet<>();
        byte[] orig = elf.sectionData(sectionIndex(elf, ".text"));
        for (long off : farCalls.get(".text")) {
            long at = sections.get(".text")[0] + off;
            long insn = Endian.u32(image, (int) (at - base), false);
            assertEquals(Endian.u32(orig, (int) off, false) & 0xff000000L, insn & 0xff000000L,
                    "condition and opcode kept at .text+0x" + Long.toHexString(off));
            long dest = at + 8 + (((insn & 0xffffff) << 40) >> 38);
            assertTrue(dest >= plt[0] && dest + 8 <= plt[0] + plt[1],
                    String.format(".text+0x%x branches to 0x%x, not into .plt", off, dest));
            assertEquals(0xe51ff004L, Endian.u32(image, (int) (dest - base), false), "ldr pc,[pc,#-4]");
            String name = callee.get(".text").get(off);
            assertEquals((long) t.get(name), Endian.u32(image, (int) (dest + 4 - base), false),
                    "stub for " + name + " at 0x" + Long.toHexString(dest));
            stubsSeen.add(name);
        }
        assertTrue(stubsSeen.size() >= 10, "stubs for " + stubsSeen);
    }

    // Hand-assembled objects (testdata/arch-asm/arm, made by make.sh with arm-linux-gnueabi-as).

    static Map<String, Long> asmTable(long printk) {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("printk", printk);
        t.put("kfree", printk + 0x2340);
        t.put("_GLOBAL_OFFSET_TABLE_", 0x12200000L);
        return t;
    }

    @ParameterizedTest
    @CsvSource({"modern.o, .ARM.exidx", "v4bx.o, .text"})
    void modernTypesAgreeWithGnuLd(String obj, String mustHave) throws Exception {
        assumeBinutils();
        // CALL, JUMP24, PC24, MOVW/MOVT (ABS and PREL), TARGET1, REL32, ABS32, PREL31 in .ARM.exidx,
        // R_ARM_NONE to the personality routine; V4BX (no symbol) in v4bx.o.
        // ld edits unwind tables (merges entries, adds EXIDX_CANTUNWIND terminators), so .ARM.exidx*
        // is checked by meaning below rather than byte for byte.
        GnuLd.Comparison c = GnuLd.compareExcept(AsmObjects.DIR.resolve("arm").resolve(obj),
                AsmObjects.ksyms(tmp, asmTable(0x12100000L)), AsmObjects.RELEASE, LD, OBJCOPY, null,
                List.of(), tmp.resolve("work"), (sec, off) -> sec.startsWith(".ARM.exidx"), new String[0]);
        assertTrue(c.differences().isEmpty(), obj + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.map().contains("\n" + mustHave + " "), c.map());
        assertTrue(c.bytesCompared() >= 20, "compared only " + c.bytesCompared() + " bytes");
        if (obj.equals("modern.o")) {
            AsmObjects.Run r = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("arm/modern.o"),
                    asmTable(0x12100000L), false);
            ElfFile elf = ElfFile.parse("modern.o", Files.readAllBytes(AsmObjects.DIR.resolve("arm/modern.o")));
            checkExidx(r, elf, ".ARM.exidx", "init_module", "cleanup_module");
            checkExidx(r, elf, ".ARM.exidx.text.unlikely", "helper");
        }
    }

    /** Each index entry's PREL31 word leads to its function; the unwind word is kept as it was. */
    static void checkExidx(AsmObjects.Run r, ElfFile elf, String sec, String... functions) throws Exception {
        byte[] orig = elf.sectionData(sectionIndex(elf, sec));
        long at = r.addr(sec);
        assertEquals(8L * functions.length, orig.length, sec);
        for (int i = 0; i < functions.length; i++) {
            long e = at + 8L * i;
            long w = r.word(e);
            assertEquals(0, w & 0x80000000L, "bit 31 of the PREL31 word");
            assertEquals(r.sym(functions[i]), e + ((w << 33) >> 33), sec + " entry " + i);
            assertEquals(Endian.u32(orig, 8 * i + 4, false), r.word(e + 4), sec + " unwind word " + i);
        }
    }

    @org.junit.jupiter.api.Test
    void gotTypesByMeaning() throws Exception {
        Path obj = AsmObjects.DIR.resolve("arm/got.o");
        AsmObjects.Run r = AsmObjects.insmod(tmp, obj, asmTable(0x12100000L), false);
        assertEquals(0, r.rc(), r.err());
        // As modutils lays it out: GOTPC first reserves slot 0, then one 4-byte slot per GOT32 symbol.
        assertTrue(r.out().contains("\n.got            0000000c  "), r.out());
        assertTrue(r.out().matches("(?s).*\n\\.got +0000000c +[0-9a-f]+ +2\\*\\*3\n.*"), r.out());
        long got = r.addr(".got");
        long gotpc = r.sym("gotpc");
        assertEquals(got - gotpc, r.word(gotpc), "GOTPC: .got - P");
        long e1 = r.word(r.sym("got1"));
        long e2 = r.word(r.sym("got2"));
        assertEquals(e1, r.word(r.sym("got3")), "one entry per symbol");
        assertTrue(e1 != e2 && e1 >= 4 && e2 >= 4 && e1 < 12 && e2 < 12, e1 + " " + e2);
        assertEquals(0x12100000L, r.word(got + e1), "GOT entry of printk");
        assertEquals(0x12102340L, r.word(got + e2), "GOT entry of kfree");
        assertEquals(r.sym("counter") - got, r.word(r.sym("gotoff")), "GOTOFF: S - .got");
    }

    @org.junit.jupiter.api.Test
    void thumbCallIsRefusedByName() throws Exception {
        AsmObjects.Run r = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("arm/thumb.o"), asmTable(0x12100000L), false);
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("R_ARM_THM_CALL") && r.err().contains("printk"), r.err());
    }

    @org.junit.jupiter.api.Test
    void unreachableBranchWithAddendIsAnErrorNamingTheSymbol() throws Exception {
        // printk+4 at 0xc0012340: out of reach, and a stub can only jump to printk itself.
        AsmObjects.Run r = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("arm/far.o"), asmTable(0xc0012340L), false);
        assertEquals(1, r.rc(), r.out());
        assertTrue(r.err().contains("Relocation overflow") && r.err().contains("for printk"), r.err());
        // In reach it links, straight to printk+4.
        AsmObjects.Run ok = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("arm/far.o"), asmTable(0x12100000L), false);
        assertEquals(0, ok.rc(), ok.err());
        long at = ok.addr(".text");
        long insn = ok.word(at);
        assertEquals(0x12100004L, at + 8 + (((insn & 0xffffff) << 40) >> 38));
    }

    static int sectionIndex(ElfFile elf, String name) {
        for (int i = 0; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no " + name);
    }

    /** Section name -> {address, size} from a load map. */
    static Map<String, long[]> mapSections(String map) {
        Map<String, long[]> sections = new LinkedHashMap<>();
        for (String line : map.split("\n")) {
            if (line.startsWith("Symbols:")) {
                break;
            }
            String[] p = line.trim().split("\\s+");
            if (p.length == 4 && p[3].startsWith("2**")) {
                sections.put(p[0], new long[] {Long.parseUnsignedLong(p[2], 16), Long.parseUnsignedLong(p[1], 16)});
            }
        }
        return sections;
    }
}
