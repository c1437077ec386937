package org.modutils.insmod.elf;

/**
 * The bounds that make a hostile object cheap to refuse. Each is far above what any real 2.4
 * module needs (the largest of testdata/corpus-i386, tux.o, has 20 sections, 575 symbols and
 * 2731 relocations; the performance benchmark's large module has 20,000 functions and 120,000
 * relocations, and its 16x version must still link). The cost of everything but the section
 * count is linear, so these bound memory and time in proportion to the file; WorstCaseTest
 * links a large hostile object within a fixed budget.
 */
public final class ElfLimits {
    private ElfLimits() {}

    /** Section headers in one object. The linker's load-order insertion is quadratic in this. */
    public static final int MAX_SECTIONS = 4096;
    /**
     * Symbols in one symbol table: room for 16 times the 20,000-function benchmark module
     * (lookups go through a name index beside modutils' 521-bucket hash, so cost is linear).
     */
    public static final int MAX_SYMBOLS = 1 << 20;
    /** Relocation entries in the whole object (the 16x benchmark module has 1.92 million). */
    public static final int MAX_RELOCATIONS = 1 << 22;
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
