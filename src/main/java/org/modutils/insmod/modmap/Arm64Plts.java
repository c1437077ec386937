package org.modutils.insmod.modmap;

import static org.modutils.insmod.elf.Elf.SHF_EXECINSTR;
import static org.modutils.insmod.elf.Elf.SHT_RELA;

import java.util.Arrays;

import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;

/**
 * arm64's module PLTs (arch/arm64/kernel/module-plts.c): before laying a module out, the
 * kernel counts the branches (JUMP26, CALL26) to a symbol outside the branch's own section,
 * one per distinct symbol and addend, sorts those relocations to the front of their section by
 * type, symbol and addend (so they are applied in that order), and sizes {@code .plt} and
 * {@code .init.plt} for that many 12-byte entries plus one, 64-byte aligned, as code without file
 * bytes; {@code .text.ftrace_trampoline} gets room for the ftrace PLTs. A branch that does not
 * reach its target then goes through the next free entry of the PLT of its side (core or init),
 * or through the last entry made when that one has the same target. As on a kernel with
 * CONFIG_RANDOMIZE_BASE (Debian's) and a CPU without the erratum 843419 workaround.
 */
final class Arm64Plts {
    private Arm64Plts() {}

    static final int ENTRY = 12;
    static final long L1_CACHE_BYTES = 64;

    /** The sizes module_frob_arch_sections gives the PLT sections: index -> size (0: not a PLT section). */
    static long[] frobbedSizes(ElfFile elf, String release) throws ElfException {
        long core = 0, init = 0;
        int n = elf.sectionCount();
        for (int r = 1; r < n; r++) {
            ElfSection rs = elf.section(r);
            if (rs.type() != SHT_RELA || rs.info() <= 0 || rs.info() >= n
                    || (elf.section(rs.info()).flags() & SHF_EXECINSTR) == 0) {
                continue;
            }
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rel = elf.relocations(r, syms.count());
            int[] order = order(rel, syms, rs.info());
            long c = count(rel, syms, rs.info(), order);
            if (elf.section(rs.info()).name().startsWith(".init")) {
                init += c;
            } else {
                core += c;
            }
        }
        long[] size = new long[n];
        for (int i = 1; i < n; i++) {
            switch (elf.section(i).name()) {
                case ".plt" -> size[i] = (core + 1) * ENTRY;
                case ".init.plt" -> size[i] = (init + 1) * ENTRY;
                case ".text.ftrace_trampoline" -> size[i] = ftracePlts(release) * ENTRY;
                default -> { }
            }
        }
        return size;
    }

    /** NR_FTRACE_PLTS: two (ftrace_caller, ftrace_regs_caller) before 6.2, one since. */
    private static int ftracePlts(String release) {
        return LayoutRules.atLeast(release, 6, 2) ? 1 : 2;
    }

    private static boolean needsPlt(ElfRelocs rel, ElfSymbols syms, int target, int k) {
        int t = rel.type(k);
        return (t == Arm64.JUMP26 || t == Arm64.CALL26) && syms.shndx()[rel.sym(k)] != target;
    }

    /**
     * The order the kernel applies the relocations of one section in: for code, the branches
     * that may need a PLT first (partition_branch_plt_relas), sorted by type, symbol, addend.
     */
    static int[] order(ElfRelocs rel, ElfSymbols syms, int target) {
        int n = rel.count();
        Integer[] o = new Integer[n];
        for (int k = 0; k < n; k++) {
            o[k] = k;
        }
        int i = 0, j = n - 1;
        while (i < j) {
            if (needsPlt(rel, syms, target, o[i])) {
                i++;
            } else if (needsPlt(rel, syms, target, o[j])) {
                Integer t = o[i];
                o[i] = o[j];
                o[j] = t;
            } else {
                j--;
            }
        }
        Arrays.sort(o, 0, i, (a, b) -> compare(rel, a, b));
        return Arrays.stream(o).mapToInt(Integer::intValue).toArray();
    }

    private static int compare(ElfRelocs rel, int a, int b) {
        int c = Integer.compare(rel.type(a), rel.type(b));
        if (c == 0) {
            c = Integer.compare(rel.sym(a), rel.sym(b));
        }
        return c != 0 ? c : Long.compare(rel.addend(a), rel.addend(b));
    }

    /** count_plts over the sorted relocations. */
    private static long count(ElfRelocs rel, ElfSymbols syms, int target, int[] order) {
        long c = 0;
        for (int i = 0; i < order.length; i++) {
            int k = order[i];
            if (!needsPlt(rel, syms, target, k)) {
                continue;
            }
            if (rel.addend(k) != 0 || i == 0 || compare(rel, k, order[i - 1]) != 0) {
                c++;
            }
        }
        return c;
    }

    /** One PLT section being filled (module_emit_plt_entry), in the image of its allocation. */
    static final class Table implements Arm64.Veneers {
        private final String file;
        private final byte[] img;
        private final int at;
        private final long addr;
        private final long max;
        private int num;
        private long lastDst;

        Table(String file, byte[] img, int at, long addr, long size) {
            this.file = file;
            this.img = img;
            this.at = at;
            this.addr = addr;
            this.max = size / ENTRY - 1;
        }

        @Override
        public long veneer(long loc, long dst) throws MapException {
            int i = num;
            Arm64.pltEntry(new Arm64.Place(img, at + i * ENTRY, addr + (long) i * ENTRY), dst);
            if (i > 0 && lastDst == dst) {
                return addr + (long) (i - 1) * ENTRY;
            }
            num++;
            lastDst = dst;
            if (num > max) {
                throw new MapException(file + ": more module PLT entries needed than counted (the arm64 kernel "
                        + "refuses the module)");
            }
            return addr + (long) i * ENTRY;
        }
    }
}
