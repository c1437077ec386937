package org.modutils.insmod.modmap;

import static org.modutils.insmod.elf.Elf.SHF_ALLOC;
import static org.modutils.insmod.elf.Elf.SHF_EXECINSTR;
import static org.modutils.insmod.elf.Elf.SHF_WRITE;

import java.util.Arrays;

import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;

/**
 * Where the kernel puts each section of a module, as an offset in one of its allocations (the
 * facts of kernel/module/main.c layout_sections and layout_symtab): sections are taken in five
 * passes (text; read-only; read-only after init; writable; small data, none on x86_64/arm64),
 * each in section-header order, every section aligned to its sh_addralign; {@code .init*}
 * sections go to the init side. Before laying out, the kernel drops SHF_ALLOC from
 * {@code .modinfo}, {@code __versions} and the per-cpu section, and marks
 * {@code .data..ro_after_init} and {@code __jump_table} read-only after init; {@code .symtab}
 * and {@code .strtab} are appended to the init data.
 */
public final class KernelLayout {
    /** The kernel's SHF_RO_AFTER_INIT (include/linux/moduleloader.h). */
    static final long SHF_RO_AFTER_INIT = 0x00200000L;
    static final long PAGE_SIZE = 4096;
    /** Unit index of the per-cpu section, beyond the rules' own units. */
    public static final int PERCPU = -2;
    /** Not loaded. */
    public static final int NONE = -1;

    private final int[] unit;
    private final long[] offset;
    private final long[] flags;
    private final Shape[] shape;
    private final int percpu;

    private KernelLayout(int[] unit, long[] offset, long[] flags, Shape[] shape, int percpu) {
        this.unit = unit;
        this.offset = offset;
        this.flags = flags;
        this.shape = shape;
        this.percpu = percpu;
    }

    /**
     * Lays {@code f} out under {@code rules}, with the sections the architecture resizes before
     * layout (arm64's module_frob_arch_sections: {@code plt[i]} non-zero is the new size of a
     * PLT section, which becomes code without file bytes, 64-byte aligned, 4 for the ftrace one).
     */
    public static KernelLayout of(ElfFile f, LayoutRules rules, long[] plt) {
        int n = f.sectionCount();
        long[] flags = new long[n];
        Shape[] sz = new Shape[n];
        int percpu = 0, symtab = 0;
        for (int i = 0; i < n; i++) {
            ElfSection s = f.section(i);
            flags[i] = s.flags();
            sz[i] = new Shape(s.size(), s.addralign(), s.type() == org.modutils.insmod.elf.Elf.SHT_NOBITS);
            if (plt[i] != 0) {
                flags[i] = SHF_EXECINSTR | SHF_ALLOC;
                sz[i] = new Shape(plt[i], s.name().equals(".text.ftrace_trampoline") ? 4 : Arm64Plts.L1_CACHE_BYTES, true);
            }
            switch (s.name()) {
                case ".modinfo", "__versions" -> flags[i] &= ~SHF_ALLOC;
                case ".data..percpu" -> {
                    flags[i] &= ~SHF_ALLOC;
                    percpu = i;
                }
                case ".data..ro_after_init", "__jump_table" -> flags[i] |= SHF_RO_AFTER_INIT;
                default -> { }
            }
            if (s.type() == org.modutils.insmod.elf.Elf.SHT_SYMTAB && symtab == 0) {
                symtab = i;
            }
        }
        int[] unit = new int[n];
        long[] offset = new long[n];
        Arrays.fill(unit, NONE);
        long[] size = new long[rules.units().length];
        place(f, rules, flags, unit, offset, size, sz, false);
        place(f, rules, flags, unit, offset, size, sz, true);
        if (symtab != 0) {
            int initData = rules == LayoutRules.CORE_INIT ? 1 : 5;
            for (int i : new int[] {symtab, f.section(symtab).link()}) {
                if (i <= 0 || i >= n) {
                    continue;
                }
                flags[i] |= SHF_ALLOC;
                unit[i] = initData;
                offset[i] = next(size, initData, sz, i);
            }
        }
        if (percpu != 0) {
            unit[percpu] = PERCPU;
            offset[percpu] = 0;
        }
        return new KernelLayout(unit, offset, flags, sz, percpu);
    }

    /** The five passes over one side (core or init). */
    private static void place(ElfFile f, LayoutRules rules, long[] flags, int[] unit, long[] offset, long[] size,
                              Shape[] sz, boolean init) {
        long[][] masks = {
            {SHF_EXECINSTR | SHF_ALLOC, 0}, {SHF_ALLOC, SHF_WRITE}, {SHF_RO_AFTER_INIT | SHF_ALLOC, 0},
            {SHF_WRITE | SHF_ALLOC, 0}, {SHF_ALLOC, 0}};
        for (int m = 0; m < masks.length; m++) {
            int u = unitOf(rules, init, m);
            for (int i = 0; i < f.sectionCount(); i++) {
                ElfSection s = f.section(i);
                if ((flags[i] & masks[m][0]) != masks[m][0] || (flags[i] & masks[m][1]) != 0 || unit[i] != NONE
                        || isInit(s.name()) != init) {
                    continue;
                }
                if (u == NONE) {
                    continue; // the kernel skips it too (ro_after_init has no init region)
                }
                unit[i] = u;
                offset[i] = next(size, u, sz, i);
            }
            if (rules == LayoutRules.CORE_INIT && (m != 3 && !(init && m == 2))) {
                size[u] = align(size[u], PAGE_SIZE);
            }
        }
    }

    private static int unitOf(LayoutRules rules, boolean init, int m) {
        if (rules == LayoutRules.CORE_INIT) {
            return init ? 1 : 0;
        }
        int[] core = {0, 2, 3, 1, 1};
        int[] initUnits = {4, 6, NONE, 5, 5};
        return init ? initUnits[m] : core[m];
    }

    /** module_get_offset: align the unit's size to the section, place it there, grow the unit. */
    private static long next(long[] size, int u, Shape[] sz, int i) {
        long at = align(size[u], sz[i].align() == 0 ? 1 : sz[i].align());
        size[u] = at + sz[i].size();
        return at;
    }

    static long align(long v, long a) {
        if (a <= 0 || Long.bitCount(a) != 1) {
            return v; // a bad sh_addralign: the kernel's ALIGN assumes a power of two
        }
        return (v + a - 1) & -a;
    }

    /** module_init_layout_section with CONFIG_MODULE_UNLOAD: the name starts with ".init". */
    static boolean isInit(String name) {
        return name.startsWith(".init");
    }

    /** The unit of section {@code i} ({@link #NONE} when it is not loaded, {@link #PERCPU}). */
    public int unit(int i) {
        return unit[i];
    }

    public long offset(int i) {
        return offset[i];
    }

    /** The section's flags as the kernel sees them after its edits. */
    public long flags(int i) {
        return flags[i];
    }

    /** A section as the kernel lays it out: size, alignment, no file bytes to copy. */
    public record Shape(long size, long align, boolean nobits) {}

    /** Section {@code i} as laid out (arm64's PLT sections resized, without file bytes). */
    public Shape shape(int i) {
        return shape[i];
    }

    /** Index of the per-cpu section, 0 if none. */
    public int percpu() {
        return percpu;
    }
}
