package org.modutils.insmod.deps;

import java.util.List;

/**
 * What depmod is asked to do.
 *
 * @param moduleDir    the module directory (ROOT/lib/modules/VERSION)
 * @param kversion     the kernel version (for depmod.d's version patterns)
 * @param configPaths  depmod.d files or directories ({@link DepmodConfig#DEFAULT_PATHS} unless -C)
 * @param systemMap    a System.map whose __ksymtab_ entries are the kernel's exports (-F), or null
 * @param symvers      a Module.symvers giving the kernel's exports and their CRCs (-E), or null
 * @param printUnknown report needed symbols nobody supplies (-e)
 * @param warnDups     report duplicate index entries (-w)
 * @param symPrefix    the architecture's symbol prefix character (-P), or 0
 * @param modules      absolute paths of the only modules to consider; empty for the whole tree
 * @param textOnly     only the text files are wanted (-n): the binary indexes are not built
 */
public record DepmodRequest(String moduleDir, String kversion, List<String> configPaths, String systemMap,
                            String symvers, boolean printUnknown, boolean warnDups, char symPrefix,
                            List<String> modules, boolean textOnly) {
    public DepmodRequest {
        configPaths = List.copyOf(configPaths);
        modules = List.copyOf(modules);
    }

    /** The whole tree under {@code moduleDir} with the default configuration. */
    public static DepmodRequest of(String moduleDir, String kversion) {
        return new DepmodRequest(moduleDir, kversion, DepmodConfig.DEFAULT_PATHS, null, null, false, false, '\0',
                List.of(), false);
    }
}
