package org.modutils.insmod.modern;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** .zst through aircompressor (pure Java; loaded only for zstd files). */
final class ZstdDecoder {
    private ZstdDecoder() {}

    /** The largest window a frame may ask for (zstd's own default decoding limit, windowLog 27). */
    static final long MAX_WINDOW = 128L << 20;

    static byte[] decompress(byte[] data) throws IOException {
        long window = window(data);
        if (window > MAX_WINDOW)
            throw new IOException("the frame asks for a " + window + "-byte window (more than " + MAX_WINDOW + ")");
        try {
            return Compression.readAll(new ZstdInputStream(new ByteArrayInputStream(data)));
        } catch (RuntimeException e) { // aircompressor reports corrupt input unchecked
            throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** The window size the first frame header declares (RFC 8878 3.1.1.1), or 0 when it cannot be read. */
    static long window(byte[] d) {
        if (d.length < 6) return 0;
        int fhd = d[4] & 0xff;
        boolean single = (fhd & 0x20) != 0;
        if (!single) {
            int wd = d[5] & 0xff;
            long base = 1L << (10 + (wd >>> 3));
            return base + (base >>> 3) * (wd & 7);
        }
        int at = 5 + new int[] {0, 1, 2, 4}[fhd & 3];
        int fcsSize = new int[] {1, 2, 4, 8}[fhd >>> 6];
        if (at + fcsSize > d.length) return 0;
        long v = 0;
        for (int i = fcsSize - 1; i >= 0; i--) v = (v << 8) | (d[at + i] & 0xff);
        return fcsSize == 2 ? v + 256 : v;
    }
}
