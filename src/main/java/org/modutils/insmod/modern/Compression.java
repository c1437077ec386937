package org.modutils.insmod.modern;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Module compression, recognised by magic number (never by file name). The names are those the
 * kernel writes to {@code /sys/module/compression}. The xz and zstd decoders live in their own
 * classes so their libraries load only for such files.
 */
public enum Compression {
    NONE("none"), GZIP("gzip"), XZ("xz"), ZSTD("zstd");

    /** Larger than any real module: stops a decompression bomb before it eats the heap. */
    static final int MAX_MODULE = 1 << 30;

    private final String kernelName;

    Compression(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The word /sys/module/compression uses for this format. */
    public String kernelName() {
        return kernelName;
    }

    public static Compression detect(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) return GZIP;
        if (b.length >= 6 && (b[0] & 0xff) == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' && b[5] == 0)
            return XZ;
        if (b.length >= 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5 && (b[2] & 0xff) == 0x2f && (b[3] & 0xff) == 0xfd)
            return ZSTD;
        return NONE;
    }

    /** Decompresses {@code data}; IOException carries a readable reason. */
    public byte[] decompress(byte[] data) throws IOException {
        switch (this) {
            case NONE: return data;
            case GZIP: return readAll(new GZIPInputStream(new ByteArrayInputStream(data), 65536));
            case XZ: return XzDecoder.decompress(data);
            case ZSTD: return ZstdDecoder.decompress(data);
            default: throw new IllegalStateException();
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1 << 16);
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_MODULE) throw new IOException("decompresses to more than 1 GiB");
            }
            return out.toByteArray();
        }
    }
}
