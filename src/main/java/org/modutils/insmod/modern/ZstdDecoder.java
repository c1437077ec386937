package org.modutils.insmod.modern;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** .zst through aircompressor (pure Java; loaded only for zstd files). */
final class ZstdDecoder {
    private ZstdDecoder() {}

    static byte[] decompress(byte[] data) throws IOException {
        try {
            return Compression.readAll(new ZstdInputStream(new ByteArrayInputStream(data)));
        } catch (RuntimeException e) { // aircompressor reports corrupt input unchecked
            throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }
}
