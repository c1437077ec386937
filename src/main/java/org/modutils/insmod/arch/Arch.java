package org.modutils.insmod.arch;


/** Helpers the architectures share. */
public final class Arch {
    private Arch() {}

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
}
