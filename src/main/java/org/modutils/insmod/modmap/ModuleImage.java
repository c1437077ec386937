package org.modutils.insmod.modmap;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;

/**
 * A 2.6+ module relocated at its map's addresses, one byte image per allocation, as the kernel
 * copies the sections there and applies their RELA relocations: x86_64's apply_relocate_add
 * ({@link X86_64}) or arm64's ({@link Arm64}, with the module PLT of {@link Arm64Plts}), each
 * with its checks; what the kernel refuses is a {@link MapException}. Undefined symbols resolve
 * to the target's kernel symbols (a /proc/kallsyms copy; an unresolved weak symbol is 0). What
 * the kernel patches after relocating (alternatives, jump labels, static calls, ftrace's call
 * sites and trampolines, return thunks, arm64's shadow-call-stack patching) is not applied;
 * relocations into the per-cpu section are skipped, as the kernel skips them.
 */
public final class ModuleImage {
    private ModuleImage() {}

    /** One allocation: where it lies in the target and its bytes. */
    public record Allocation(String unit, long base, byte[] bytes) {}

    public static List<Allocation> build(MapRequest req, Map<String, Long> kernelSymbols) throws MapException {
        ModMap.Placed p = ModMap.place(req);
        ElfFile elf = p.elf();
        if (elf.machine() != EM_X86_64 && elf.machine() != Arm64.EM_AARCH64) {
            throw new MapException(req.fileName() + ": the relocated image is made for x86_64 and arm64 modules only");
        }
        String[] units = p.rules().units();
        List<Allocation> out = new ArrayList<>();
        int[] allocOf = new int[elf.sectionCount()];
        java.util.Arrays.fill(allocOf, -1);
        for (int u = 0; u < units.length; u++) {
            long base = 0, size = 0;
            boolean any = false;
            for (int i = 1; i < elf.sectionCount(); i++) {
                if (p.layout().unit(i) == u) {
                    if (!any) {
                        base = p.address()[i] - p.layout().offset(i);
                        any = true;
                    }
                    size = Math.max(size, p.layout().offset(i) + p.layout().shape(i).size());
                    allocOf[i] = out.size();
                }
            }
            if (any) {
                if (size > Integer.MAX_VALUE - 8) {
                    throw new MapException(req.fileName() + ": " + units[u] + " larger than any module");
                }
                out.add(new Allocation(units[u], base, new byte[(int) size]));
            }
        }
        try {
            for (int i = 1; i < elf.sectionCount(); i++) {
                if (allocOf[i] >= 0 && !p.layout().shape(i).nobits()) {
                    byte[] b = elf.sectionData(i);
                    System.arraycopy(b, 0, out.get(allocOf[i]).bytes(), (int) p.layout().offset(i), b.length);
                }
            }
            relocate(req.fileName(), p, allocOf, out, kernelSymbols);
        } catch (ElfException e) {
            throw ModMap.elfError(req.fileName(), e);
        }
        return out;
    }

    private static void relocate(String fileName, ModMap.Placed p, int[] allocOf, List<Allocation> out,
                                 Map<String, Long> kernel) throws ElfException, MapException {
        ElfFile elf = p.elf();
        boolean arm64 = elf.machine() == Arm64.EM_AARCH64;
        Arm64Plts.Table[] plts = arm64 ? plts(fileName, p, allocOf, out) : null;
        for (int r = 1; r < elf.sectionCount(); r++) {
            ElfSection rs = elf.section(r);
            if (rs.type() != SHT_RELA && rs.type() != SHT_REL) {
                continue;
            }
            int target = rs.info();
            if (target <= 0 || target >= elf.sectionCount() || allocOf[target] < 0) {
                continue; // relocations of sections the kernel does not load
            }
            if (rs.type() == SHT_REL) {
                throw new MapException(fileName + ": " + rs.name() + ": REL relocations, which "
                        + (arm64 ? "arm64" : "x86_64") + " modules never have (the kernel refuses them)");
            }
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rel = elf.relocations(r, syms.count());
            long[] value = symbolValues(fileName, p, syms, kernel);
            Target t = new Target(fileName, rs.name(), elf.section(target).name(), out.get(allocOf[target]).bytes(),
                    p.address()[target], p.layout().offset(target), elf.section(target).size());
            if (!arm64) {
                applyX86(t, rel, value);
                continue;
            }
            int[] order = (elf.section(target).flags() & SHF_EXECINSTR) != 0 ? Arm64Plts.order(rel, syms, target) : null;
            applyArm64(t, rel, value, order, plts[t.section().startsWith(".init") ? 1 : 0]);
        }
    }

    /** The section a relocation section applies to: where its bytes are in the image and the target. */
    private record Target(String file, String relName, String section, byte[] img, long addr, long at, long size) {
        long offset(ElfRelocs rel, int k, int room) throws MapException {
            long off = rel.offset(k);
            if (off < 0 || off > size - room) {
                throw new MapException(file + ": " + relName + " entry " + k + " lies outside " + section);
            }
            return off;
        }
    }

    private static void applyX86(Target t, ElfRelocs rel, long[] value) throws MapException {
        for (int k = 0; k < rel.count(); k++) {
            long off = t.offset(rel, k, 0);
            X86_64.apply(t.file(), t.relName(), rel.type(k), t.img(), (int) (t.at() + off), t.addr() + off,
                    value[rel.sym(k)] + rel.addend(k), (int) (t.size() - off));
        }
    }

    /** In the kernel's order ({@code order}: the sorted one of code sections, null: as in the file). */
    private static void applyArm64(Target t, ElfRelocs rel, long[] value, int[] order, Arm64.Veneers veneers)
            throws MapException {
        for (int n = 0; n < rel.count(); n++) {
            int k = order == null ? n : order[n];
            long off = t.offset(rel, k, widthArm64(rel.type(k)));
            Arm64.apply(t.file(), t.relName(), rel.type(k), new Arm64.Place(t.img(), (int) (t.at() + off), t.addr() + off),
                    value[rel.sym(k)] + rel.addend(k), veneers);
        }
    }

    /** The bytes an arm64 relocation writes: 8, 2 or 4 (an instruction); 0 for NONE. */
    private static int widthArm64(int type) {
        return switch (type) {
            case Arm64.R_ARM_NONE, Arm64.R_NONE -> 0;
            case Arm64.ABS64, Arm64.PREL64 -> 8;
            case Arm64.ABS16, Arm64.PREL16 -> 2;
            default -> 4;
        };
    }

    /**
     * The module's two PLTs (core, init) in their allocations' images; the kernel refuses an
     * arm64 module without them (module_frob_arch_sections: "module PLT section(s) missing").
     */
    private static Arm64Plts.Table[] plts(String fileName, ModMap.Placed p, int[] allocOf, List<Allocation> out)
            throws MapException {
        Arm64Plts.Table[] t = new Arm64Plts.Table[2];
        ElfFile elf = p.elf();
        for (int i = 1; i < elf.sectionCount(); i++) {
            String n = elf.section(i).name();
            int side = n.equals(".plt") ? 0 : n.equals(".init.plt") ? 1 : -1;
            if (side >= 0 && allocOf[i] >= 0) {
                t[side] = new Arm64Plts.Table(fileName, out.get(allocOf[i]).bytes(), (int) p.layout().offset(i),
                        p.address()[i], p.layout().shape(i).size());
            }
        }
        if (t[0] == null || t[1] == null) {
            throw new MapException(fileName + ": module PLT section(s) missing (the arm64 kernel refuses the module: "
                    + "it is not linked with the kernel's module.lds)");
        }
        return t;
    }

    /** simplify_symbols: each symbol's final value (section address + value, kernel symbol, absolute). */
    private static long[] symbolValues(String fileName, ModMap.Placed p, ElfSymbols t, Map<String, Long> kernel)
            throws MapException {
        long[] v = new long[t.count()];
        for (int k = 1; k < t.count(); k++) {
            int shndx = t.shndx()[k];
            if (shndx == SHN_UNDEF) {
                Long s = t.name()[k].isEmpty() ? null : kernel.get(t.name()[k]);
                if (s == null && stBind(t.info()[k]) != STB_WEAK && !t.name()[k].isEmpty()) {
                    throw new MapException(fileName + ": Unknown symbol " + t.name()[k]
                            + " (not in the kernel symbols given with --ksyms)");
                }
                v[k] = s == null ? 0 : s;
            } else if (shndx == SHN_ABS) {
                v[k] = t.value()[k];
            } else if (shndx == SHN_COMMON) {
                throw new MapException(fileName + ": common symbol " + t.name()[k] + " (the kernel refuses it: "
                        + "build with -fno-common)");
            } else if (shndx < p.elf().sectionCount()) {
                v[k] = p.address()[shndx] + t.value()[k];
            }
        }
        return v;
    }
}
