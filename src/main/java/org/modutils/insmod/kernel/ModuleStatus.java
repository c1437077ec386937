package org.modutils.insmod.kernel;

import java.util.List;

/**
 * One loaded module as a 2.1-2.4 kernel's query_module describes it: QM_INFO's struct module
 * address, size, flags and use count; QM_REFS's users (modules that depend on this one, only
 * those listed before it, i.e. loaded later, as modutils keeps them); QM_SYMBOLS' exports.
 * Fields that were not asked for ({@link ModuleQuery}) are 0 or empty. A module that vanished
 * while it was being queried is kept with {@link #DELETED} set, as modutils keeps it.
 */
public record ModuleStatus(String name, long address, long size, long flags, long useCount,
                           List<String> users, List<KernelSymbol> symbols) {
    /** Bits of {@link #flags} (the 2.4 kernel's MOD_* values). */
    public static final long RUNNING = 1, DELETED = 2, AUTOCLEAN = 4, VISITED = 8, USED_ONCE = 16,
            JUST_FREED = 32, INITIALIZING = 64;

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }
}
