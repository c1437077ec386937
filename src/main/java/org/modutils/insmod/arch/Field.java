package org.modutils.insmod.arch;

import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.link.Sym;

/**
 * The writes of a relocation's place that every architecture makes (modutils' {@code *loc = v}
 * and {@code *loc += v}), each returning {@link RelocResult#OK} so that a case of an apply() is
 * one line. Plain static calls: nothing is allocated on the per-relocation path.
 */
final class Field {
    private Field() {}

    /** {@code *loc = v} on the {@code size}-byte place of {@code r}. */
    static RelocResult put(ObjFile f, Reloc r, int size, long v) {
        f.write(r.target, r.offset, size, v);
        return RelocResult.OK;
    }

    /** The low 16 bits of {@code v} at the 2-byte place of {@code r} (no range check). */
    static RelocResult put16(ObjFile f, Reloc r, long v) {
        return put(f, r, 2, v & 0xffff);
    }

    /** {@code *loc += v} on the {@code size}-byte place of {@code r} (REL: the addend is in the place). */
    static RelocResult add(ObjFile f, Reloc r, int size, long v) {
        f.write(r.target, r.offset, size, f.read(r.target, r.offset, size) + v);
        return RelocResult.OK;
    }

    /** The address of the place of {@code r} (modutils' dot), at the target's width. */
    static long place(ObjFile f, Reloc r) {
        return f.mask(r.target.addr + r.offset);
    }

    /** GOTPC (i386, arm): {@code *loc += got - dot}; without a .got the reference is dangerous. */
    static RelocResult gotpc(ObjFile f, Reloc r, LinkSection got, long dot) {
        return got == null ? RelocResult.DANGEROUS : add(f, r, 4, got.addr - dot);
    }

    /** GOTOFF (i386, arm): {@code *loc += v - got}; without a .got the reference is dangerous. */
    static RelocResult gotoff(ObjFile f, Reloc r, LinkSection got, long v) {
        return got == null ? RelocResult.DANGEROUS : add(f, r, 4, v - got.addr);
    }

    /**
     * GOT32 (i386, arm): the symbol's slot ({@code base} + its GOT offset) filled with {@code v}
     * once, its offset added to the place; dangerous without a slot.
     */
    static RelocResult got32(ObjFile f, Reloc r, LinkSection got, long base, long v) {
        Sym s = r.sym;
        if (s == null || got == null || s.gotOffset < 0) {
            return RelocResult.DANGEROUS;
        }
        long entry = base + s.gotOffset;
        SlotPass.fillOnce(f, got, entry, s, 4, v);
        return add(f, r, 4, entry);
    }

    /**
     * A word-aligned value (ppc's 14- and 24-bit branch and address fields) into the bits of
     * {@code mask} of the instruction; true when {@code v} is not word-aligned.
     */
    static boolean misaligned(ObjFile f, Reloc r, long mask, long v) {
        bits(f, r, 4, mask, v);
        return (v & 3) != 0;
    }

    /** The bits of {@code mask} in the {@code size}-byte place replaced by those of {@code v}. */
    static RelocResult bits(ObjFile f, Reloc r, int size, long mask, long v) {
        long old = f.read(r.target, r.offset, size);
        f.write(r.target, r.offset, size, (old & ~mask) | (v & mask));
        return RelocResult.OK;
    }
}
