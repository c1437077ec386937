package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;

/**
 * hppa64 has no recorded cases: testdata/arch-hppa64/relocs.o (assembled by make.sh with the
 * Debian hppa64 binutils) uses every relocation type the original handles (LTOFF21L, LTOFF14R,
 * PCREL22F, DIR64, SEGREL32, FPTR64), and GNU ld links it with each section at our address and
 * __gp at our dp. Bytes must agree, except where each linker lays out its own .got/.opd/stubs:
 * there the .got word an LTOFF pair reaches, the code and gp of an FPTR64 descriptor, and the
 * kernel's descriptor a call stub loads must agree. ld rewrites .PARISC.unwind, so SEGREL32
 * is checked against the psABI value (S + A - module base).
 */
class Hppa64LinkTest {
    static final Path DIR = Paths.get("testdata/arch-hppa64");
    static final String LD = "hppa64-linux-gnu-ld", OBJCOPY = "hppa64-linux-gnu-objcopy";
    static final int LTOFF21L = 34, LTOFF14R = 38, SEGREL32 = 49, FPTR64 = 64, PCREL22F = 74, DIR64 = 80;

    @TempDir
    Path tmp;

    static long be(byte[] b, int n) {
        return n == 4 ? ByteBuffer.wrap(b).getInt() : ByteBuffer.wrap(b).getLong();
    }

    // PA-RISC immediate fields (decoding, as the PA-RISC 2.0 architecture defines them).

    /** ldil/addil: the 21-bit left part, shifted into place. */
    static long left21(long insn) {
        long x = insn & 0x1fffff;
        long v = ((x & 1) << 20) | ((x & 0xffe) << 8) | ((x & 0xc000) >>> 7) | ((x & 0x1f0000) >>> 14)
                | ((x & 0x3000) >>> 12);
        return (int) (v << 11);
    }

    /** ldo: a 14-bit displacement, sign in the lowest bit. */
    static long right14(long insn) {
        long x = insn & 0x3fff;
        return (x >>> 1) - ((x & 1) << 13);
    }

    /** ldd (long displacement): sign in bit 0, im10a in bits 4..13, in doublewords. */
    static long ldd(long insn) {
        long v = ((insn >>> 4) & 0x3ff) << 3;
        return (insn & 1) != 0 ? v - (1 << 13) : v;
    }

    /** b,l with a 22-bit displacement: the target address. */
    static long branch22(long site, long insn) {
        long w = ((insn & 1) << 21) | ((insn >>> 5) & 0x1f0000L) | ((insn >>> 5) & 0xf800L)
                | ((insn & 4) << 8) | ((insn >>> 3) & 0x3ffL);
        w = (w << 42) >> 42;
        return site + 8 + (w << 2);
    }

    @Test
    void everyHandledTypeAgreesWithGnuLd() throws Exception {
        assumeTrue(GnuLd.available(LD), LD + " is not installed (Debian package binutils-hppa64-linux-gnu)");
        Path obj = DIR.resolve("relocs.o");
        Path ksyms = DIR.resolve("ksyms.txt");
        GnuLd.Linked ours = GnuLd.link(obj, ksyms, "2.4.27", LD, OBJCOPY, null, tmp.resolve("probe"), List.of(), true);
        long gp = be(ours.ourBytes(ours.sections().get("__archdata")[0] + 32, 8), 8);
        GnuLd.Linked l = GnuLd.link(obj, ksyms, "2.4.27", LD, OBJCOPY, null, tmp.resolve("ld"),
                List.of("--defsym=__gp=0x" + Long.toHexString(gp)), true);
        Map<String, Long> kernel = new HashMap<>();
        for (String line : Files.readAllLines(ksyms)) {
            String[] p = line.trim().split("\\s+");
            kernel.put(p[1], Long.parseUnsignedLong(p[0], 16));
        }
        ElfFile elf = l.object();
        Set<Integer> seen = new TreeSet<>();
        Map<String, Set<Long>> skip = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int meaningChecks = 0;
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection rs = elf.section(i);
            if (rs.type() != Elf.SHT_RELA) {
                continue;
            }
            ElfSection target = elf.section(rs.info());
            if (!l.sections().containsKey(target.name())) {
                continue;
            }
            long secAddr = l.sections().get(target.name())[0];
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rels = elf.relocations(i, syms.count());
            long[] pendingLeft = null;
            for (int k = 0; k < rels.count(); k++) {
                int type = rels.type(k);
                seen.add(type);
                int sym = rels.sym(k);
                boolean external = syms.shndx()[sym] == Elf.SHN_UNDEF;
                String name = syms.name()[sym];
                long site = secAddr + rels.offset(k);
                String where = String.format("%s+0x%x type %d %s", target.name(), rels.offset(k), type, name);
                int n = type == DIR64 || type == FPTR64 ? 8 : 4;
                boolean meaning = type == LTOFF21L || type == LTOFF14R || type == FPTR64 || type == SEGREL32
                        || (type == PCREL22F && external);
                if (!meaning) {
                    continue;
                }
                for (long b = 0; b < n; b++) {
                    skip.computeIfAbsent(target.name(), x -> new HashSet<>()).add(site - secAddr + b);
                }
                long mine = be(l.ourBytes(site, n), n);
                byte[] t = l.ldBytes(site, n);
                assertNotNull(t, where);
                long theirs = be(t, n);
                meaningChecks++;
                switch (type) {
                    case LTOFF21L -> pendingLeft = new long[] {left21(mine), left21(theirs)};
                    case LTOFF14R -> {
                        assertNotNull(pendingLeft, where + ": no LTOFF21L before it");
                        long a = gp + pendingLeft[0] + right14(mine), b = gp + pendingLeft[1] + right14(theirs);
                        pendingLeft = null;
                        long wm = be(l.ourBytes(a, 8), 8);
                        byte[] wl = l.ldBytes(b, 8);
                        if (wl == null || wm != be(wl, 8)) {
                            problems.add(String.format("%s: .got word 0x%x, ld's 0x%x", where, wm,
                                    wl == null ? 0 : be(wl, 8)));
                        }
                    }
                    case SEGREL32 -> {
                        // ld rewrites .PARISC.unwind for its own segments, so check the psABI value
                        // S + A - segment base, the segment being the module (it starts at .this).
                        long symAddr = l.sections().get(elf.section(syms.shndx()[sym]).name())[0] + syms.value()[sym];
                        if (mine != symAddr + rels.addend(k) - l.base()) {
                            problems.add(String.format("%s: 0x%x, expected 0x%x", where, mine,
                                    symAddr + rels.addend(k) - l.base()));
                        }
                    }
                    case FPTR64 -> {
                        if (external) {
                            // The kernel exports a function as its descriptor; ld makes one around it.
                            byte[] d = l.ldBytes(theirs + 16, 8);
                            if (mine != kernel.get(name) || d == null || be(d, 8) != kernel.get(name)) {
                                problems.add(String.format("%s: 0x%x, ld's descriptor for 0x%x", where, mine,
                                        d == null ? 0 : be(d, 8)));
                            }
                        } else {
                            byte[] dm = l.ourBytes(mine + 16, 16), dl = l.ldBytes(theirs + 16, 16);
                            if (dm == null || dl == null || !java.util.Arrays.equals(dm, dl)) {
                                problems.add(String.format("%s: descriptor code/gp differ (ours at 0x%x, ld's at 0x%x)",
                                        where, mine, theirs));
                            }
                        }
                    }
                    default -> { // PCREL22F to the kernel: a stub that loads the kernel's descriptor
                        long stub = branch22(site, mine);
                        long[] st = l.sections().get(".stub");
                        assertTrue(stub >= st[0] && stub < st[0] + st[1], where + ": not into .stub");
                        long first = be(l.ourBytes(stub, 4), 4), second = be(l.ourBytes(stub + 4, 4), 4);
                        long loaded;
                        if (name.startsWith("$$")) {
                            loaded = left21(first) + right14(second); // ldil/ldo of the descriptor
                        } else {
                            loaded = be(l.ourBytes(gp + ldd(first), 8), 8); // ldd of its .got word
                        }
                        if (loaded != kernel.get(name)) {
                            problems.add(String.format("%s: stub reaches 0x%x", where, loaded));
                        }
                    }
                }
            }
        }
        assertTrue(seen.containsAll(Set.of(LTOFF21L, LTOFF14R, SEGREL32, FPTR64, PCREL22F, DIR64)),
                "relocs.o exercises only " + seen);

        long compared = 0;
        for (ElfSection s : l.compared()) {
            ElfSection o = l.ldSection(s.name());
            if (s.type() == Elf.SHT_NOBITS || o == null || o.type() == Elf.SHT_NOBITS) {
                continue;
            }
            long addr = l.sections().get(s.name())[0];
            assertEquals(addr, o.addr(), s.name() + " placed elsewhere by ld");
            byte[] theirs = l.linked().sectionData(o.index());
            byte[] mine = l.ourBytes(addr, (int) s.size());
            Set<Long> sk = skip.getOrDefault(s.name(), Set.of());
            for (int b = 0; b < s.size(); b++) {
                if (sk.contains((long) b)) {
                    continue;
                }
                compared++;
                if (theirs[b] != mine[b] && problems.size() < 40) {
                    problems.add(String.format("%s+0x%x: ld %02x, insmod %02x", s.name(), b, theirs[b] & 0xff,
                            mine[b] & 0xff));
                }
            }
        }
        assertTrue(problems.isEmpty(), "differences from GNU ld:\n" + String.join("\n", problems) + "\n" + l.map());
        assertTrue(compared > 80, "compared only " + compared + " bytes");
        assertTrue(meaningChecks >= 15, "only " + meaningChecks + " checks by meaning");
    }
}
