package org.modutils.insmod.elf;

/** Reads and writes little- or big-endian integers in byte arrays (no bounds beyond Java's own). */
public final class Endian {
    private Endian() {}

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off, boolean be) {
        return be ? ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff)
                  : (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8);
    }

    public static long u32(byte[] b, int off, boolean be) {
        return i32(b, off, be) & 0xffffffffL;
    }

    public static int i32(byte[] b, int off, boolean be) {
        if (be) {
            return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        }
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8) | ((b[off + 2] & 0xff) << 16) | ((b[off + 3] & 0xff) << 24);
    }

    public static long u64(byte[] b, int off, boolean be) {
        long hi = u32(b, be ? off : off + 4, be);
        long lo = u32(b, be ? off + 4 : off, be);
        return (hi << 32) | lo;
    }

    /** Reads a word of {@code size} bytes (1, 2, 4 or 8), zero-extended. */
    public static long word(byte[] b, int off, int size, boolean be) {
        switch (size) {
            case 1: return u8(b, off);
            case 2: return u16(b, off, be);
            case 4: return u32(b, off, be);
            case 8: return u64(b, off, be);
            default: throw new IllegalArgumentException("word size " + size);
        }
    }

    public static void put8(byte[] b, int off, long v) {
        b[off] = (byte) v;
    }

    public static void put16(byte[] b, int off, long v, boolean be) {
        if (be) {
            b[off] = (byte) (v >>> 8);
            b[off + 1] = (byte) v;
        } else {
            b[off] = (byte) v;
            b[off + 1] = (byte) (v >>> 8);
        }
    }

    public static void put32(byte[] b, int off, long v, boolean be) {
        if (be) {
            b[off] = (byte) (v >>> 24);
            b[off + 1] = (byte) (v >>> 16);
            b[off + 2] = (byte) (v >>> 8);
            b[off + 3] = (byte) v;
        } else {
            b[off] = (byte) v;
            b[off + 1] = (byte) (v >>> 8);
            b[off + 2] = (byte) (v >>> 16);
            b[off + 3] = (byte) (v >>> 24);
        }
    }

    public static void put64(byte[] b, int off, long v, boolean be) {
        if (be) {
            put32(b, off, v >>> 32, true);
            put32(b, off + 4, v, true);
        } else {
            put32(b, off, v, false);
            put32(b, off + 4, v >>> 32, false);
        }
    }

    /** Writes the low {@code size} bytes (1, 2, 4 or 8) of {@code v}. */
    public static void putWord(byte[] b, int off, int size, long v, boolean be) {
        switch (size) {
            case 1: put8(b, off, v); break;
            case 2: put16(b, off, v, be); break;
            case 4: put32(b, off, v, be); break;
            case 8: put64(b, off, v, be); break;
            default: throw new IllegalArgumentException("word size " + size);
        }
    }
}
