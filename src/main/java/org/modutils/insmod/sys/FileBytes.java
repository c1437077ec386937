package org.modutils.insmod.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Whole-file reads and writes in 64 KiB steps. Files.readAllBytes and a single channel write of
 * a large heap buffer go through a temporary direct buffer as large as the file, which the JDK
 * then keeps cached: a second copy of the module outside the heap for the rest of the run.
 * Errors are the same NIO exceptions Files.readAllBytes gives.
 */
public final class FileBytes {
    private FileBytes() {}

    private static final int STEP = 1 << 16;

    public static byte[] read(Path path) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("Required array size too large");
            }
            byte[] buf = new byte[(int) size];
            int n = 0;
            for (;;) {
                if (n == buf.length) {
                    // At the expected end (or a /proc file that reports no size): see whether more follows.
                    byte[] probe = new byte[Math.max(8192, Math.min(STEP, n))];
                    int r = ch.read(ByteBuffer.wrap(probe));
                    if (r < 0) {
                        return buf;
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * n, n + (long) probe.length)));
                    System.arraycopy(probe, 0, buf, n, r);
                    n += r;
                    continue;
                }
                int r = ch.read(ByteBuffer.wrap(buf, n, Math.min(buf.length - n, STEP)));
                if (r < 0) {
                    return Arrays.copyOf(buf, n);
                }
                n += r;
            }
        }
    }

    public static void write(WritableByteChannel ch, byte[] data) throws IOException {
        for (int off = 0; off < data.length; ) {
            off += ch.write(ByteBuffer.wrap(data, off, Math.min(data.length - off, STEP)));
        }
    }
}
