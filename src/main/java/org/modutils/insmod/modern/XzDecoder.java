package org.modutils.insmod.modern;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.tukaani.xz.XZInputStream;

/** .xz through org.tukaani:xz (loaded only for xz files). */
final class XzDecoder {
    private XzDecoder() {}

    /** The most memory (KiB) a stream may ask for: a few bytes of header cannot claim a 1.5 GiB dictionary. */
    private static final int MEMORY_LIMIT_KIB = 256 * 1024;

    static byte[] decompress(byte[] data) throws IOException {
        return Compression.readAll(new XZInputStream(new ByteArrayInputStream(data), MEMORY_LIMIT_KIB));
    }
}
