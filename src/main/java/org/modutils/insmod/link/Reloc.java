package org.modutils.insmod.link;


/**
 * The relocation being applied. One instance is reused for a whole relocation loop, so the hot
 * path allocates nothing per relocation.
 */
public final class Reloc {
    /** The section being patched. */
    public LinkSection target;
    /** Index of the relocation section in the object, and of this entry in it. */
    public int relSection;
    public int relIndex;
    public long offset;
    public int type;
    /** RELA addend (already added into the value passed to apply); 0 for REL. */
    public long addend;
    /** ELF symbol index (0 for none) and the symbol it resolved to (null for none). */
    public int symIndex;
    public Sym sym;
    /** True when the image goes to a real kernel: overflows are errors instead of truncation. */
    public boolean strict;
    /** An extra message an architecture can set for a failed relocation (e.g. the range). */
    public String detail;
    /**
     * Like {@link #detail}, but for a failure the original reported in the same words: shown
     * only under -v, so the line stays the original's.
     */
    public String verboseDetail;
}
