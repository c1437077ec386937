package org.modutils.insmod.sys;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Whole-file reads in 64 KiB steps (Files.readAllBytes goes through a temporary direct buffer
 * as large as the file, which the JDK then keeps cached: a second copy of the module outside the
 * heap for the rest of the run), with java.io, not an NIO channel: the first channel of a run
 * loads libnet (and its IPv6 probe), about a millisecond of a small module's run. A file that cannot be opened gives
 * java.io's FileNotFoundException ("PATH (REASON)"; {@link IoReasons} reads the reason).
 */
public final class FileBytes {
    private FileBytes() {}

    private static final int STEP = 1 << 16;

    public static byte[] read(Path path) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
            long size = f.length();
            if (size > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("Required array size too large");
            }
            byte[] buf = new byte[(int) size];
            int n = 0;
            for (;;) {
                if (n == buf.length) {
                    // At the expected end (or a /proc file that reports no size): see whether more follows.
                    byte[] probe = new byte[Math.max(8192, Math.min(STEP, n))];
                    int r = f.read(probe);
                    if (r < 0) {
                        return buf;
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * n, n + (long) probe.length)));
                    System.arraycopy(probe, 0, buf, n, r);
                    n += r;
                    continue;
                }
                int r = f.read(buf, n, Math.min(buf.length - n, STEP));
                if (r < 0) {
                    return Arrays.copyOf(buf, n);
                }
                n += r;
            }
        }
    }
}
