package org.modutils.insmod.modern;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.tukaani.xz.XZInputStream;

/** .xz through org.tukaani:xz (loaded only for xz files). */
final class XzDecoder {
    private XzDecoder() {}

    static byte[] decompress(byte[] data) throws IOException {
        return Compression.readAll(new XZInputStream(new ByteArrayInputStream(data)));
    }
}
