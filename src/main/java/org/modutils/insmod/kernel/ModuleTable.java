package org.modutils.insmod.kernel;

import java.util.List;

/**
 * The loaded modules in kernel order (newest first, as QM_MODULES lists them) and, when
 * symbols were asked for, the kernel's own exports.
 */
public record ModuleTable(List<ModuleStatus> modules, List<KernelSymbol> kernel) {
    /** The module called {@code name}, or null. */
    public ModuleStatus find(String name) {
        for (ModuleStatus m : modules) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** The module names in order (what rmmod compares before and after to decide on a snapshot). */
    public List<String> names() {
        String[] n = new String[modules.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = modules.get(i).name();
        }
        return List.of(n);
    }
}
