package org.modutils.insmod.arch;

import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.RelocResult;

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

    /** {@code *loc += v} on the {@code size}-byte place of {@code r} (REL: the addend is in the place). */
    static RelocResult add(ObjFile f, Reloc r, int size, long v) {
        f.write(r.target, r.offset, size, f.read(r.target, r.offset, size) + v);
        return RelocResult.OK;
    }

    /** The bits of {@code mask} in the {@code size}-byte place replaced by those of {@code v}. */
    static RelocResult bits(ObjFile f, Reloc r, int size, long mask, long v) {
        long old = f.read(r.target, r.offset, size);
        f.write(r.target, r.offset, size, (old & ~mask) | (v & mask));
        return RelocResult.OK;
    }
}
