package org.modutils.insmod.elf;

/** A symbol table as flat arrays; {@code firstGlobal} is sh_info (the count of local symbols). */
public record ElfSymbols(int count, int firstGlobal, String[] name, long[] value, long[] size, int[] info,
                         int[] shndx) {}
