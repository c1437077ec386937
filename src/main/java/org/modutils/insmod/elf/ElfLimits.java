package org.modutils.insmod.elf;

/**
 * The bounds that make a hostile object cheap to refuse. Each is far above what any real 2.4
 * module needs (the largest of testdata/corpus-i386, tux.o, has 20 sections, 575 symbols and
 * 2731 relocations) and low enough that an object at all the limits at once links in well
 * under a second of CPU (WorstCaseTest). Parts of the linker are quadratic in the number of
 * exported symbols (as modutils is), which is what bounds MAX_SYMBOLS.
 */
public final class ElfLimits {
    private ElfLimits() {}

    /** Section headers in one object. The linker's load-order insertion is quadratic in this. */
    public static final int MAX_SECTIONS = 4096;
    /** Symbols in one symbol table. The modutils hash has 521 buckets, so lookups grow with this. */
    public static final int MAX_SYMBOLS = 1 << 13;
    /** Relocation entries in the whole object. */
    public static final int MAX_RELOCATIONS = 1 << 18;
    /** Section alignment: larger than any page size an architecture of 2.4 used. */
    public static final long MAX_ALIGN = 1 << 20;
    /**
     * Section and symbol names are decoded into strings; many symbols naming one long string
     * would multiply the file. Their total length may be at most this many times the file size
     * (plus {@link #NAME_SLACK}).
     */
    public static final int NAME_FACTOR = 4;
    public static final int NAME_SLACK = 1 << 20;
}
