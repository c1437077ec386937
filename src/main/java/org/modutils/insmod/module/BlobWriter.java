package org.modutils.insmod.module;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes the -O image atomically: a temporary file in the same directory, written, fsync'd,
 * renamed over the target, and the directory fsync'd. The target therefore holds its old
 * contents or the complete new image, whatever happens to the process; a temporary file left
 * by SIGTERM or SIGINT is removed by a shutdown hook (only SIGKILL or a crash of the machine
 * can leave a {@code .NAME.*.tmp} behind, never a partial NAME).
 */
public final class BlobWriter {
    private BlobWriter() {}

    /** Temporary files being written, for the shutdown hook. */
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    /** Set by the hook: a write that starts (or registers) after it gives up. */
    private static volatile boolean stopping;

    static {
        Thread hook = new Thread(() -> {
            stopping = true;
            for (Path p : PENDING) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Nothing more can be done while the JVM stops.
                }
            }
        }, "insmod-blob-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException | SecurityException alreadyStopping) {
            // The JVM is already shutting down: the finally below still removes the file.
        }
    }

    public static void write(Path target, byte[] image) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        PENDING.add(tmp);
        try {
            if (stopping) {
                throw new IOException("insmod is being stopped");
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(image);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // Not a POSIX file system: keep the default mode.
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
            PENDING.remove(tmp);
        }
    }

    /** Makes the rename durable; a file system that cannot sync a directory is left as it is. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // e.g. not permitted on this file system; the data itself is already synced
        }
    }
}
