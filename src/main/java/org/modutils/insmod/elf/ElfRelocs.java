package org.modutils.insmod.elf;

/** One relocation section as flat arrays (addend 0 for REL). */
public record ElfRelocs(int count, boolean rela, long[] offset, int[] sym, int[] type, long[] addend) {}
