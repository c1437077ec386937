package org.modutils.insmod.kernel.remote;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian fields and NUL-terminated strings, as the protocol carries them. */
public final class Bytes {
    private Bytes() {}

    public static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static long getUInt(byte[] b, int off) {
        return getInt(b, off) & 0xffffffffL;
    }

    /** Builds a request payload. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Builder u8(int v) {
            out.write(v);
            return this;
        }

        public Builder u32(long v) {
            byte[] b = new byte[4];
            putInt(b, 0, (int) v);
            out.writeBytes(b);
            return this;
        }

        public Builder cstring(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
            return this;
        }

        public Builder bytes(byte[] b, int off, int len) {
            out.write(b, off, len);
            return this;
        }

        public byte[] build() {
            return out.toByteArray();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Splits NUL-terminated strings starting at {@code off}; stops at the end of the array. */
    public static String[] cstrings(byte[] b, int off, int count) {
        String[] out = new String[count];
        int p = off;
        for (int i = 0; i < count; i++) {
            int e = p;
            while (e < b.length && b[e] != 0)
                e++;
            out[i] = new String(b, p, Math.min(e, b.length) - p, StandardCharsets.ISO_8859_1);
            p = Math.min(e + 1, b.length);
        }
        return out;
    }
}
