package org.modutils.insmod.kernel;

import java.util.List;

/**
 * Everything the 2.4 linker needs to know about what is loaded: the modules in kernel order
 * (newest first, as /proc/ksyms and QM_MODULES list them) and the kernel's own exports.
 */
public record KernelSymbols(List<LoadedModule> modules, List<KernelSymbol> kernel) {}
