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
                String name = syms.name()[rels.sym()[k]];
                if (rels.type()[k] == Arm.R_ARM_PC24 && t.containsKey(name)) {
                    farCalls.computeIfAbsent(target, x -> new TreeSet<>()).add(rels.offset()[k]);
                    callee.computeIfAbsent(target, x -> new HashMap<>()).put(rels.offset()[k], name);
                }
            }
        }
        assertTrue(farCalls.getOrDefault(".text", Set.of()).size() > 30, "expected many calls into the kernel");

        GnuLd.Comparison c = GnuLd.compareExcept(obj, ksyms(t), release, LD, OBJCOPY, null, tmp.resolve("work"),
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
