package org.modutils.insmod.arch;

import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.RelocResult;

/**
 * The one range checker of the architectures (lld's checkInt / checkUInt / checkAlignment):
 * whether a value fits the field a relocation writes.
 */
public final class Range {
    private Range() {}

    /** True when {@code v} fits in a signed field of {@code bits} bits. */
    public static boolean fitsSigned(long v, int bits) {
        long min = -(1L << (bits - 1));
        long max = (1L << (bits - 1)) - 1;
        return v >= min && v <= max;
    }

    /** True when {@code v} fits in an unsigned field of {@code bits} bits. */
    public static boolean fitsUnsigned(long v, int bits) {
        return bits >= 64 || (v >>> bits) == 0;
    }

    /** A bit field takes any value that fits in {@code bits} bits, signed or unsigned. */
    public static boolean fitsBitfield(long v, int bits) {
        return fitsUnsigned(v, bits) || fitsSigned(v, bits);
    }

    /** True when the low bits of {@code v} below {@code align} (a power of two) are zero. */
    public static boolean aligned(long v, int align) {
        return (v & (align - 1)) == 0;
    }

    /** OK, or an overflow naming the value when it does not fit in signed {@code bits} bits. */
    public static RelocResult checkInt(Reloc r, long v, int bits) {
        if (!fitsSigned(v, bits)) {
            r.detail = String.format("0x%x does not fit in signed %d bits", v, bits);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    /** OK, or an overflow naming the value when it fits {@code bits} bits neither signed nor unsigned. */
    public static RelocResult checkBitfield(Reloc r, long v, int bits) {
        if (!fitsBitfield(v, bits)) {
            r.detail = String.format("0x%x does not fit in %d bits", v, bits);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }
}
