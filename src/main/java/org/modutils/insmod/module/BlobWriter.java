package org.modutils.insmod.module;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
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

    private static final Set<PosixFilePermission> PRIVATE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    /** Temporary files being written, for the shutdown hook. */
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    /** Set by the hook: a write that starts (or registers) after it gives up. */
    private static volatile boolean stopping;
    /**
     * Held while a temporary file is created and registered, and by the hook while it stops
     * writes and deletes: a file is either created before the hook (and deleted by it) or not
     * at all. Without it a signal between the creation and the registration left the file.
     */
    private static final Object CREATING = new Object();

    static {
        Thread hook = new Thread("insmod-blob-cleanup") {
            @Override
            public void run() {
                synchronized (CREATING) {
                    stopping = true;
                    for (Path p : PENDING) {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException ignored) {
                            // Nothing more can be done while the JVM stops.
                        }
                    }
                }
            }
        };
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException | SecurityException alreadyStopping) {
            // The JVM is already shutting down: the finally below still removes the file.
        }
    }

    public static void write(Path target, byte[] image) throws IOException {
        if (target.toString().isEmpty()) {
            // -O '': open("") names no file (ENOENT), where Java would take the current directory.
            throw new java.nio.file.NoSuchFileException("");
        }
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        FileChannel ch = null;
        // The temporary file as Files.createTempFile makes it (".NAME.<random>.tmp", mode 0600,
        // created exclusively), but named without SecureRandom: seeding it loads the security
        // providers, about a tenth of insmod's start-up.
        long seed = System.nanoTime() ^ ((long) System.identityHashCode(image) << 32);
        for (int attempt = 0; ch == null; attempt++) {
            tmp = dir.resolve("." + abs.getFileName() + "."
                    + Long.toUnsignedString(seed + attempt * 0x9e3779b97f4a7c15L, 36) + ".tmp");
            synchronized (CREATING) {
                if (stopping) {
                    throw new IOException("insmod is being stopped");
                }
                try {
                    ch = open(tmp);
                    PENDING.add(tmp);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= 100) {
                        throw e;
                    }
                }
            }
        }
        try {
            try (FileChannel c = ch) {
                if (stopping) {
                    throw new IOException("insmod is being stopped");
                }
                org.modutils.insmod.sys.FileBytes.write(c, image);
                c.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // Not a POSIX file system: keep the default mode.
            }
            if (stopping) {
                throw new IOException("insmod is being stopped");
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

    private static FileChannel open(Path tmp) throws IOException {
        Set<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(tmp, opts, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(tmp, opts);
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
