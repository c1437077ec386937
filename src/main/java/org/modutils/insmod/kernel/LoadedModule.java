package org.modutils.insmod.kernel;

import java.util.List;

/**
 * A module already in the kernel, as query_module(QM_INFO/QM_SYMBOLS) or /proc/ksyms shows it.
 * {@code address} is its struct module address (what .kmodtab's dep field points at).
 */
public record LoadedModule(String name, long address, List<KernelSymbol> symbols) {}
