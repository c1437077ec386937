package org.modutils.insmod.kernel;

/** One exported symbol as the kernel lists it (name may carry _R<crc> or GPLONLY_). */
public record KernelSymbol(long value, String name) {}
