package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
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
 * ia64 has no recorded cases: testdata/arch-ia64/relocs.o (assembled by make.sh with the Debian
 * ia64 binutils) uses every relocation type the original handles, and GNU ld links it with each
 * section at our address and __gp at the gp we chose. Bytes must agree, except where insmod and
 * ld lay out their own tables (.got, .opd, .plt, .IA_64.pltoff): there the value the instruction
 * or word leads to must agree (the same .got word, the same function descriptor), and calls to
 * the kernel must reach a stub whose pltoff word is the kernel's descriptor.
 */
class Ia64LinkTest {
    static final Path DIR = Paths.get("testdata/arch-ia64");
    static final String LD = "ia64-linux-gnu-ld", OBJCOPY = "ia64-linux-gnu-objcopy";

    // Relocation types (psABI numbers).
    static final int IMM14 = 0x21, IMM22 = 0x22, IMM64 = 0x23, DIR32LSB = 0x25, DIR64LSB = 0x27, GPREL22 = 0x2a,
            GPREL64I = 0x2b, GPREL32LSB = 0x2d, GPREL64LSB = 0x2f, LTOFF22 = 0x32, LTOFF64I = 0x33,
            PLTOFF22 = 0x3a, PLTOFF64I = 0x3b, PLTOFF64LSB = 0x3f, FPTR64I = 0x43, FPTR32LSB = 0x45,
            FPTR64LSB = 0x47, PCREL21B = 0x49, PCREL21M = 0x4a, PCREL21F = 0x4b, PCREL32LSB = 0x4d,
            PCREL64LSB = 0x4f, LTOFF_FPTR22 = 0x52, LTOFF_FPTR64I = 0x53, LTOFF_FPTR32LSB = 0x55,
            LTOFF_FPTR64LSB = 0x57, SEGREL32LSB = 0x5d, SEGREL64LSB = 0x5f, SECREL32LSB = 0x65,
            SECREL64LSB = 0x67, LTOFF22X = 0x86, LDXMOV = 0x87;
    static final Set<Integer> HANDLED = Set.of(IMM14, IMM22, IMM64, DIR32LSB, DIR64LSB, GPREL22, GPREL64I,
            GPREL32LSB, GPREL64LSB, LTOFF22, LTOFF64I, PLTOFF22, PLTOFF64I, PLTOFF64LSB, FPTR64I, FPTR32LSB,
            FPTR64LSB, PCREL21B, PCREL21M, PCREL21F, PCREL32LSB, PCREL64LSB, LTOFF_FPTR22, LTOFF_FPTR64I,
            LTOFF_FPTR32LSB, LTOFF_FPTR64LSB, SEGREL32LSB, SEGREL64LSB, SECREL32LSB, SECREL64LSB, LTOFF22X, LDXMOV);

    @TempDir
    Path tmp;

    static Map<String, Long> kernel() throws Exception {
        Map<String, Long> k = new HashMap<>();
        for (String line : Files.readAllLines(DIR.resolve("ksyms.txt"))) {
            String[] p = line.trim().split("\\s+");
            k.put(p[1], Long.parseUnsignedLong(p[0], 16));
        }
        return k;
    }

    // Instruction fields as the Itanium architecture manual defines them (decoding only).

    static long slot(byte[] bundle, int slot) {
        ByteBuffer b = ByteBuffer.wrap(bundle).order(ByteOrder.LITTLE_ENDIAN);
        long lo = b.getLong(0), hi = b.getLong(8);
        long m = (1L << 41) - 1;
        return switch (slot) {
            case 0 -> (lo >>> 5) & m;
            case 1 -> ((lo >>> 46) | (hi << 18)) & m;
            default -> (hi >>> 23) & m;
        };
    }

    /** addl (A5): imm22 = s:imm5c:imm9d:imm7b. */
    static long imm22(long insn) {
        long v = ((insn >>> 36) & 1) << 21 | ((insn >>> 22) & 0x1f) << 16 | ((insn >>> 27) & 0x1ff) << 7
                | ((insn >>> 13) & 0x7f);
        return (v << 42) >> 42;
    }

    /** movl (X2): i:imm41:ic:imm5c:imm9d:imm7b, imm41 in the L slot. */
    static long imm64(byte[] bundle) {
        long x = slot(bundle, 2), l = slot(bundle, 1);
        return ((x >>> 36) & 1) << 63 | l << 22 | ((x >>> 21) & 1) << 21 | ((x >>> 22) & 0x1f) << 16
                | ((x >>> 27) & 0x1ff) << 7 | ((x >>> 13) & 0x7f);
    }

    /** br.call (B3): s:imm20b, in bundles. */
    static long pcrel21b(long insn) {
        long v = ((insn >>> 36) & 1) << 20 | ((insn >>> 13) & 0xfffff);
        return ((v << 43) >> 43) << 4;
    }

    static long le(byte[] b, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return n == 4 ? (int) v : v;
    }

    /** The gp-relative or absolute value a relocation site holds (instruction immediates or data). */
    static long siteValue(byte[] bundleOrWord, int type, int slot) {
        return switch (type) {
            case LTOFF22, LTOFF22X, LTOFF_FPTR22, PLTOFF22 -> imm22(slot(bundleOrWord, slot));
            case LTOFF64I, LTOFF_FPTR64I, PLTOFF64I, FPTR64I -> imm64(bundleOrWord);
            case FPTR32LSB, LTOFF_FPTR32LSB -> le(bundleOrWord, 4);
            default -> le(bundleOrWord, 8);
        };
    }

    static boolean isInsn(int type) {
        return switch (type) {
            case LTOFF22, LTOFF22X, LTOFF_FPTR22, PLTOFF22, LTOFF64I, LTOFF_FPTR64I, PLTOFF64I, FPTR64I,
                 PCREL21B, PCREL21M, PCREL21F -> true;
            default -> false;
        };
    }

    static int width(int type) {
        return type == FPTR32LSB || type == LTOFF_FPTR32LSB ? 4 : 8;
    }

    @Test
    void everyHandledTypeAgreesWithGnuLd() throws Exception {
        assumeTrue(GnuLd.available(LD), LD + " is not installed (Debian package binutils-ia64-linux-gnu)");
        Path obj = DIR.resolve("relocs.o");
        // Our gp, from __archdata (its fifth word), needs our link first.
        GnuLd.Linked ours = GnuLd.link(obj, DIR.resolve("ksyms.txt"), "2.4.27", LD, OBJCOPY, null,
                tmp.resolve("probe"), List.of(), true);
        long archdata = ours.sections().get("__archdata")[0];
        long gp = le(ours.ourBytes(archdata + 32, 8), 8);
        GnuLd.Linked l = GnuLd.link(obj, DIR.resolve("ksyms.txt"), "2.4.27", LD, OBJCOPY, null, tmp.resolve("ld"),
                List.of("--defsym=__gp=0x" + Long.toHexString(gp)), true);
        Map<String, Long> kernel = kernel();
        ElfFile elf = l.object();

        Set<Integer> seen = new TreeSet<>();
        Map<String, Set<Long>> skip = new HashMap<>(); // section -> offsets checked by meaning
        List<String> problems = new ArrayList<>();
        int meaningChecks = 0;
        Map<String, Long> kernelStubs = new HashMap<>();
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
            for (int k = 0; k < rels.count(); k++) {
                int type = rels.type(k);
                seen.add(type);
                long off = rels.offset(k);
                int sym = rels.sym(k);
                boolean external = syms.shndx()[sym] == Elf.SHN_UNDEF;
                String name = syms.name()[sym];
                boolean meaning = switch (type) {
                    case LTOFF22, LTOFF22X, LTOFF64I, PLTOFF22, PLTOFF64I, PLTOFF64LSB, FPTR64I, FPTR32LSB,
                         FPTR64LSB, LTOFF_FPTR22, LTOFF_FPTR64I, LTOFF_FPTR32LSB, LTOFF_FPTR64LSB -> true;
                    case PCREL21B, PCREL21M, PCREL21F -> external;
                    default -> false;
                };
                if (!meaning) {
                    continue;
                }
                long site = secAddr + (isInsn(type) ? off & ~3L : off);
                int n = isInsn(type) ? 16 : width(type);
                for (long b = 0; b < n; b++) {
                    skip.computeIfAbsent(target.name(), x -> new java.util.HashSet<>()).add(site - secAddr + b);
                }
                int slot = (int) (off & 3);
                byte[] mine = l.ourBytes(site, n);
                byte[] theirs = l.ldBytes(site, n);
                String where = String.format("%s+0x%x type 0x%x %s", target.name(), off, type, name);
                if (type == PCREL21B || type == PCREL21M || type == PCREL21F) {
                    // A call to the kernel: through our .plt stub, whose pltoff word is the descriptor.
                    long stub = site + pcrel21b(slot(mine, slot));
                    long[] plt = l.sections().get(".plt");
                    assertTrue(stub >= plt[0] && stub < plt[0] + plt[1], where + ": not into .plt");
                    long dataAddr = gp + imm22(slot(l.ourBytes(stub, 16), 0));
                    long word = le(l.ourBytes(dataAddr, 8), 8);
                    if (word != kernel.get(name)) {
                        problems.add(where + ": stub loads 0x" + Long.toHexString(word));
                    }
                    Long prev = kernelStubs.putIfAbsent(name, stub);
                    if (prev != null && prev != stub) {
                        problems.add(where + ": a second stub for the same symbol");
                    }
                    meaningChecks++;
                    continue;
                }
                long vMine = siteValue(mine, type, slot);
                long vLd = siteValue(theirs, type, slot);
                boolean gpRelative = type != FPTR64I && type != FPTR32LSB && type != FPTR64LSB;
                if (gpRelative) {
                    vMine += gp;
                    vLd += gp;
                }
                boolean viaGot = switch (type) {
                    case LTOFF22, LTOFF22X, LTOFF64I, LTOFF_FPTR22, LTOFF_FPTR64I, LTOFF_FPTR32LSB,
                         LTOFF_FPTR64LSB -> true;
                    default -> false;
                };
                if (viaGot) {
                    vMine = le(l.ourBytes(vMine, 8), 8);
                    byte[] g = l.ldBytes(vLd, 8);
                    assertNotNull(g, where + ": ld's value points nowhere");
                    vLd = le(g, 8);
                }
                boolean descriptor = type != LTOFF22 && type != LTOFF22X && type != LTOFF64I;
                if (!descriptor) {
                    if (vMine != vLd) {
                        problems.add(String.format("%s: .got word 0x%x, ld 0x%x", where, vMine, vLd));
                    }
                } else if (external) {
                    // The kernel exports a function as its descriptor: insmod uses it as is, ld makes one.
                    byte[] d = l.ldBytes(vLd, 8);
                    if (vMine != kernel.get(name) || d == null || le(d, 8) != kernel.get(name)) {
                        problems.add(String.format("%s: kernel descriptor 0x%x, ld's points at 0x%x", where, vMine,
                                d == null ? 0 : le(d, 8)));
                    }
                } else {
                    byte[] dm = l.ourBytes(vMine, 16), dl = l.ldBytes(vLd, 16);
                    if (dm == null || dl == null || !java.util.Arrays.equals(dm, dl)) {
                        problems.add(String.format("%s: descriptor at 0x%x (%s) vs ld's at 0x%x (%s)", where, vMine,
                                hex(dm), vLd, hex(dl)));
                    }
                }
                meaningChecks++;
            }
        }
        Set<Integer> missing = new TreeSet<>(HANDLED);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "relocs.o does not exercise types " + missing);

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
        assertTrue(compared > 250, "compared only " + compared + " bytes");
        assertTrue(meaningChecks >= 15, "only " + meaningChecks + " GOT/descriptor/stub checks");
    }

    static String hex(byte[] b) {
        if (b == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(args, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of());
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.ISO_8859_1),
                err.toString(StandardCharsets.ISO_8859_1)};
    }

    @Test
    void constantGpModulesAreRefused() {
        String[] r = run("--ksyms=" + DIR.resolve("ksyms.txt"), "--uname-release=2.4.27", "-n",
                DIR.resolve("constgp.o").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("Modules compiled with -mconstant-gp cannot be loaded"), r[2]);
    }

    @Test
    void unhandledTypeIsNamed() {
        String[] r = run("--ksyms=" + DIR.resolve("ksyms.txt"), "--uname-release=2.4.27", "-n",
                DIR.resolve("unhandled.o").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("Unhandled relocation of type 151 for tvar"), r[2]);
    }

    /** init_module and cleanup_module reach the kernel through .opd descriptors with our gp. */
    @Test
    void moduleEntryPointsAreDescriptors() throws Exception {
        Path blob = tmp.resolve("blob");
        String[] r = run("--ksyms=" + DIR.resolve("ksyms.txt"), "--uname-release=2.4.27", "-n", "-m", "-O",
                blob.toString(), DIR.resolve("relocs.o").toString());
        assertEquals("0", r[0], r[2]);
        byte[] img = Files.readAllBytes(blob);
        long base = 0x12340000L;
        Map<String, Long> sec = new HashMap<>(), sym = new HashMap<>();
        for (String line : r[1].split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 4 && p[3].startsWith("2**")) {
                sec.put(p[0], Long.parseUnsignedLong(p[2], 16));
            } else if (p.length == 3) {
                sym.put(p[2], Long.parseUnsignedLong(p[0], 16));
            }
        }
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        long gp = b.getLong((int) (sec.get("__archdata") - base) + 32);
        long init = b.getLong(0x50), cleanup = b.getLong(0x58); // struct module: init, cleanup
        assertEquals((long) sec.get(".opd"), init);
        assertEquals(sec.get(".opd") + 16, cleanup);
        assertArrayEquals(new long[] {sym.get("init_module"), gp, sym.get("cleanup_module"), gp},
                new long[] {b.getLong((int) (init - base)), b.getLong((int) (init - base) + 8),
                        b.getLong((int) (cleanup - base)), b.getLong((int) (cleanup - base) + 8)});
        // The segment base is the object's section 1 (.text) and the unwind table is absent here.
        assertEquals((long) sec.get(".text"), b.getLong((int) (sec.get("__archdata") - base) + 8));
    }
}
