package org.modutils.insmod.elf;

/**
 * The bounds that make a hostile object cheap to refuse. Each is far above what any real 2.4
 * module needs (the largest have a few hundred sections, a few thousand symbols and tens of
 * thousands of relocations) and low enough that the linker's work stays well under a second
 * and its memory a small multiple of the file.
 */
public final class ElfLimits {
    private ElfLimits() {}

    /** Section headers in one object. The linker's load-order insertion is quadratic in this. */
    public static final int MAX_SECTIONS = 8192;
    /** Symbols in one symbol table. The modutils hash has 521 buckets, so lookups grow with this. */
    public static final int MAX_SYMBOLS = 1 << 17;
    /** Relocation entries in the whole object. */
    public static final int MAX_RELOCATIONS = 1 << 20;
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
