package org.modutils.insmod.modmap;

import static org.modutils.insmod.elf.Elf.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.modern.Compression;
import org.modutils.insmod.modern.KoFile;

/**
 * Builds the load map of a 2.6+ module ({@code .ko}, gzip/xz/zstd compressed or not): every
 * loaded section at its address, given or derived by the target kernel's layout rules, and
 * every symbol of the module at its address with the type letter kallsyms gives it
 * (kernel/module/kallsyms.c elf_type; upper case for symbols the module exports with
 * EXPORT_SYMBOL, as /proc/kallsyms shows them).
 */
public final class ModMap {
    private ModMap() {}

    /** The dummy base of allocation {@code u} when no section in it is given: (u + 1) << 28. */
    public static long dummyBase(int u) {
        return u == KernelLayout.PERCPU ? 0xf0000000L : (long) (u + 1) << 28;
    }

    public static ModuleMap build(MapRequest req) throws MapException {
        Placed p = place(req);
        List<ModuleMap.Section> sections = sections(req, p);
        List<ModuleMap.Symbol> symbols = symbols(req.fileName(), p.elf, p.layout, p.address);
        return new ModuleMap(req.fileName(), p.elf.is64() ? 64 : 32, p.rules, p.release, sections, symbols);
    }

    /** A module read and laid out: every section's address ({@code address[i]}, 0 if not loaded). */
    record Placed(ElfFile elf, String release, LayoutRules rules, KernelLayout layout, long[] address,
                  boolean percpuKnown) {}

    static Placed place(MapRequest req) throws MapException {
        byte[] data = decompress(req);
        ElfFile elf;
        String release, name;
        try {
            elf = ElfFile.parse(req.fileName(), data);
            KoFile ko = KoFile.parse(data);
            if (elf.type() != ET_REL || !ko.isModernModule()) {
                throw new MapException(req.fileName() + ": not a 2.6+ kernel module (no .gnu.linkonce.this_module "
                        + "section, no vermagic)");
            }
            name = moduleName(req.fileName(), ko.modinfo("name"));
            String vermagic = ko.modinfo("vermagic");
            release = req.release() != null ? req.release()
                    : vermagic == null || vermagic.isBlank() ? null : vermagic.strip().split("\\s+")[0];
        } catch (ElfException e) {
            throw elfError(req.fileName(), e);
        } catch (KoFile.BadModuleException e) {
            throw new MapException(req.fileName() + ": " + e.getMessage());
        }
        LayoutRules rules = LayoutRules.forRelease(release);
        KernelLayout layout;
        try {
            layout = KernelLayout.of(elf, rules, elf.machine() == Arm64.EM_AARCH64
                    ? Arm64Plts.frobbedSizes(elf, release) : new long[elf.sectionCount()]);
        } catch (ElfException e) {
            throw elfError(req.fileName(), e);
        }
        Long percpu = PerCpu.base(req, elf, layout, name);
        return new Placed(elf, release, rules, layout, addresses(req, elf, layout, rules, percpu), percpu != null);
    }

    /** The name the kernel knows the module by: its modinfo name, else its file's, '-' read as '_'. */
    static String moduleName(String fileName, String modinfoName) {
        if (modinfoName != null && !modinfoName.isBlank()) {
            return modinfoName.strip();
        }
        String b = fileName.substring(fileName.lastIndexOf('/') + 1);
        int dot = b.indexOf(".ko");
        return (dot > 0 ? b.substring(0, dot) : b).replace('-', '_');
    }

    /** The ELF reader's message, with the file's name when it does not say it. */
    static MapException elfError(String fileName, ElfException e) {
        String m = e.getMessage();
        return new MapException(m.contains(fileName) ? m : fileName + ": " + m);
    }

    private static byte[] decompress(MapRequest req) throws MapException {
        Compression c = Compression.detect(req.module());
        try {
            return c.decompress(req.module());
        } catch (IOException e) {
            throw new MapException(req.fileName() + ": cannot decompress (" + c.kernelName() + "): " + e.getMessage());
        } catch (RuntimeException e) {
            throw new MapException(req.fileName() + ": cannot decompress (" + c.kernelName() + "): damaged data");
        }
    }

    /** Each section's address: given, else its allocation's base (from a given section, else dummy) + offset. */
    private static long[] addresses(MapRequest req, ElfFile elf, KernelLayout layout, LayoutRules rules,
                                    Long percpu) throws MapException {
        int n = elf.sectionCount();
        for (String name : req.addresses().keySet()) {
            if (index(elf, name) < 0) {
                throw new MapException(req.fileName() + " has no section " + name
                        + " (are the section addresses those of another module?)");
            }
        }
        int units = rules.units().length;
        Long[] base = new Long[units + 1];
        for (int i = 0; i < n; i++) {
            Long given = req.addresses().get(elf.section(i).name());
            int u = slot(layout.unit(i), units);
            if (given != null && u >= 0 && base[u] == null) {
                base[u] = given - layout.offset(i);
            }
        }
        if (percpu != null && base[units] == null) {
            base[units] = percpu;
        }
        long mask = elf.is64() ? -1L : 0xffffffffL;
        long[] address = new long[n];
        for (int i = 0; i < n; i++) {
            Long given = req.addresses().get(elf.section(i).name());
            int u = slot(layout.unit(i), units);
            if (given != null) {
                address[i] = given & mask;
            } else if (u >= 0) {
                long b = base[u] != null ? base[u] : dummyBase(layout.unit(i));
                address[i] = (b + layout.offset(i)) & mask;
            }
        }
        return address;
    }

    /** Array slot of a unit: its index, the per-cpu section last; -1 for none. */
    private static int slot(int unit, int units) {
        return unit == KernelLayout.PERCPU ? units : unit;
    }

    private static int index(ElfFile elf, String name) {
        for (int i = 1; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static List<ModuleMap.Section> sections(MapRequest req, Placed p) {
        ElfFile elf = p.elf();
        KernelLayout layout = p.layout();
        long[] address = p.address();
        int units = p.rules().units().length;
        boolean[] anchored = new boolean[units + 1];
        anchored[units] = p.percpuKnown();
        for (int i = 1; i < elf.sectionCount(); i++) {
            int u = slot(layout.unit(i), units);
            if (u >= 0 && req.addresses().containsKey(elf.section(i).name())) {
                anchored[u] = true;
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            boolean loaded = layout.unit(i) != KernelLayout.NONE && layout.shape(i).size() != 0;
            if (loaded || req.addresses().containsKey(s.name())) {
                order.add(i);
            }
        }
        order.sort(Comparator.<Integer>comparingLong(i -> address[i] ^ Long.MIN_VALUE).thenComparingInt(i -> i));
        List<ModuleMap.Section> out = new ArrayList<>();
        for (int i : order) {
            ElfSection s = elf.section(i);
            int u = slot(layout.unit(i), units);
            String unit = u < 0 ? "?" : u == units ? "percpu" : p.rules().units()[u];
            ModuleMap.Source src = req.addresses().containsKey(s.name()) ? ModuleMap.Source.GIVEN
                    : anchored[u] ? ModuleMap.Source.DERIVED : ModuleMap.Source.DUMMY;
            out.add(new ModuleMap.Section(s.name(), layout.shape(i).size(), address[i], layout.shape(i).align(), unit, src));
        }
        return out;
    }

    /** The symbols of the first SHT_SYMTAB section, or null when there is none. */
    static ElfSymbols symtab(String fileName, ElfFile elf) throws MapException {
        for (int i = 1; i < elf.sectionCount(); i++) {
            if (elf.section(i).type() == SHT_SYMTAB) {
                try {
                    return elf.symbols(i);
                } catch (ElfException e) {
                    throw elfError(fileName, e);
                }
            }
        }
        return null;
    }

    private static List<ModuleMap.Symbol> symbols(String fileName, ElfFile elf, KernelLayout layout, long[] address)
            throws MapException {
        ElfSymbols t = symtab(fileName, elf);
        if (t == null) {
            throw new MapException(fileName + ": no symbol table");
        }
        Set<String> exported = exported(elf, t);
        long mask = elf.is64() ? -1L : 0xffffffffL;
        List<ModuleMap.Symbol> out = new ArrayList<>();
        for (int k = 1; k < t.count(); k++) {
            int type = stType(t.info()[k]);
            int shndx = t.shndx()[k];
            if (t.name()[k].isEmpty() || type == STT_SECTION || type == STT_FILE || shndx == SHN_UNDEF) {
                continue;
            }
            long value;
            String section;
            if (shndx == SHN_ABS) {
                value = t.value()[k];
                section = "";
            } else if (shndx < elf.sectionCount() && layout.unit(shndx) != KernelLayout.NONE) {
                value = address[shndx] + t.value()[k];
                section = elf.section(shndx).name();
            } else {
                continue; // not loaded (.modinfo, __versions, debug sections)
            }
            char c = KallsymsType.of(elf, layout, t.info()[k], shndx);
            if (exported.contains(t.name()[k])) {
                c = Character.toUpperCase(c);
            }
            out.add(new ModuleMap.Symbol(value & mask, c, t.name()[k], section));
        }
        out.sort(Comparator.comparingLong(s -> s.address() ^ Long.MIN_VALUE)); // stable: symbol-table order on ties
        return out;
    }

    /**
     * What the module exports with EXPORT_SYMBOL: each export X leaves a symbol __ksymtab_X in
     * the module's {@code __ksymtab} section (EXPORT_SYMBOL_GPL ones are in {@code __ksymtab_gpl},
     * which /proc/kallsyms does not count as exported).
     */
    private static Set<String> exported(ElfFile elf, ElfSymbols t) {
        Set<String> out = new HashSet<>();
        int ksymtab = index(elf, "__ksymtab");
        if (ksymtab < 0) {
            return out;
        }
        for (int k = 1; k < t.count(); k++) {
            if (t.shndx()[k] == ksymtab && t.name()[k].startsWith("__ksymtab_")) {
                out.add(t.name()[k].substring("__ksymtab_".length()));
            }
        }
        return out;
    }
}
