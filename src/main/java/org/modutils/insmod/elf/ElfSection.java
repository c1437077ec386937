package org.modutils.insmod.elf;

/** One section header, with its name resolved; {@code offset}/{@code size} are checked against the file. */
public record ElfSection(int index, String name, int type, long flags, long addr, long offset, long size,
                         int link, int info, long addralign, long entsize) {}
