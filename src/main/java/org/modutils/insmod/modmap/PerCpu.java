package org.modutils.insmod.modmap;

import static org.modutils.insmod.elf.Elf.STT_SECTION;

import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSymbols;

/**
 * Where the module's per-cpu section lies, which sysfs does not show: the kernel lists each
 * per-cpu symbol in /proc/kallsyms at the module's per-cpu base (mod->percpu) plus its value,
 * so one such line of the module gives the base. The lines given must agree on it.
 */
final class PerCpu {
    private PerCpu() {}

    /** The per-cpu base from the request's kallsyms lines; null when none of them tells it. */
    static Long base(MapRequest req, ElfFile elf, KernelLayout layout, String module) throws MapException {
        int pcpu = layout.percpu();
        if (pcpu == 0 || req.kallsyms().isEmpty()) {
            return null;
        }
        ElfSymbols t = ModMap.symtab(req.fileName(), elf);
        if (t == null) {
            return null;
        }
        java.util.Map<String, Long> value = new java.util.HashMap<>();
        for (int k = 1; k < t.count(); k++) {
            if (t.shndx()[k] == pcpu && !t.name()[k].isEmpty() && (t.info()[k] & 0xf) != STT_SECTION) {
                value.putIfAbsent(t.name()[k], t.value()[k]);
            }
        }
        Long base = null;
        String from = null;
        for (KallsymsTable.Line l : req.kallsyms()) {
            Long v = value.get(l.name());
            if (v == null || !module.equals(l.module())) {
                continue;
            }
            long b = l.address() - v;
            if (base != null && base != b) {
                throw new MapException(req.fileName() + ": the kallsyms lines of [" + module + "] put its per-cpu "
                        + "symbols " + from + " and " + l.name() + " at different bases (lines of another load?)");
            }
            base = b;
            from = l.name();
        }
        return base;
    }
}
