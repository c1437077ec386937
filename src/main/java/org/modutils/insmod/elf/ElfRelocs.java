package org.modutils.insmod.elf;

/**
 * A REL or RELA section, decoded and checked, stored compactly: a large module has over a
 * hundred thousand relocations, and they stay live for the whole link. Each entry takes 8 bytes
 * (REL) or 12 bytes (RELA) when its offset fits in 32 bits unsigned, its type in 12 bits and its
 * addend in 32 bits signed, which is every real module; a column that does not fit is widened
 * for that section only. The symbol index is below {@link ElfLimits#MAX_SYMBOLS} = 2^20.
 */
public final class ElfRelocs {
    private static final int SYM_BITS = 20;
    private static final int SYM_MASK = (1 << SYM_BITS) - 1;
    private static final int TYPE_LIMIT = 1 << (32 - SYM_BITS);

    private final int count;
    private final boolean rela;
    /** Offsets as unsigned 32-bit values, or null when {@link #wideOffset} holds them. */
    private int[] offset;
    private long[] wideOffset;
    /** sym | type << 20, the type column then null; or the symbol alone, with {@link #wideType}. */
    private final int[] symType;
    private int[] wideType;
    /** Addends (RELA only) as signed 32-bit values, or null when {@link #wideAddend} holds them. */
    private int[] addend;
    private long[] wideAddend;

    private ElfRelocs(int count, boolean rela) {
        this.count = count;
        this.rela = rela;
        this.offset = new int[count];
        this.symType = new int[count];
        this.addend = rela ? new int[count] : null;
    }

    public int count() { return count; }
    public boolean rela() { return rela; }

    public long offset(int k) {
        return offset != null ? offset[k] & 0xffffffffL : wideOffset[k];
    }

    public int sym(int k) {
        return symType[k] & SYM_MASK;
    }

    public int type(int k) {
        return wideType == null ? symType[k] >>> SYM_BITS : wideType[k];
    }

    /** The addend of a RELA entry; 0 for REL. */
    public long addend(int k) {
        if (addend != null) {
            return addend[k];
        }
        return wideAddend != null ? wideAddend[k] : 0;
    }

    /** Fills entries in order; the symbol index must be below 2^20 (checked by the reader). */
    static final class Builder {
        private final ElfRelocs r;
        private int k;

        Builder(int count, boolean rela) {
            r = new ElfRelocs(count, rela);
        }

        void add(long offset, int sym, long type, long addend) {
            ElfRelocs r = this.r;
            int k = this.k++;
            if (r.offset != null && (offset >>> 32) != 0) {
                r.wideOffset = new long[r.count];
                for (int j = 0; j < k; j++) {
                    r.wideOffset[j] = r.offset[j] & 0xffffffffL;
                }
                r.offset = null;
            }
            if (r.offset != null) {
                r.offset[k] = (int) offset;
            } else {
                r.wideOffset[k] = offset;
            }
            if (r.wideType == null && (type < 0 || type >= TYPE_LIMIT)) {
                r.wideType = new int[r.count];
                for (int j = 0; j < k; j++) {
                    r.wideType[j] = r.symType[j] >>> SYM_BITS;
                    r.symType[j] &= SYM_MASK;
                }
            }
            if (r.wideType == null) {
                r.symType[k] = sym | (int) type << SYM_BITS;
            } else {
                r.symType[k] = sym;
                r.wideType[k] = (int) type;
            }
            if (!r.rela) {
                return;
            }
            if (r.addend != null && addend != (int) addend) {
                r.wideAddend = new long[r.count];
                for (int j = 0; j < k; j++) {
                    r.wideAddend[j] = r.addend[j];
                }
                r.addend = null;
            }
            if (r.addend != null) {
                r.addend[k] = (int) addend;
            } else {
                r.wideAddend[k] = addend;
            }
        }

        ElfRelocs build() {
            return r;
        }
    }
}
