package org.modutils.insmod.module;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes the -O image atomically: a temporary file in the same directory, written and renamed
 * over the target. The target therefore holds its old contents or the complete new image
 * whatever happens to the process; a temporary file left by SIGTERM or SIGINT is removed by a
 * shutdown hook (only SIGKILL or a crash of the machine can leave a {@code .NAME.*.tmp} behind,
 * never a partial NAME). Not fsync'd (neither was the original's image): a crash of the machine
 * may lose the image, not the process. java.io, not an NIO channel: the first channel of a run
 * loads libnet (and its IPv6 probe), about a millisecond of a small module's run.
 */
public final class BlobWriter {
    private BlobWriter() {}

    private static final int STEP = 1 << 16;

    /** Temporary files being written, for the shutdown hook. */
    private static final Set<File> PENDING = ConcurrentHashMap.newKeySet();
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
                    for (File f : PENDING) {
                        f.delete();
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
            throw new NoSuchFileException("");
        }
        Path abs = target.toAbsolutePath();
        File tmp = create(abs, image);
        try {
            try (FileOutputStream out = new FileOutputStream(tmp)) {
                checkStopping();
                for (int off = 0; off < image.length; off += STEP) {
                    // in steps: java.io copies a larger write into a native buffer as large
                    out.write(image, off, Math.min(STEP, image.length - off));
                }
            }
            try {
                Files.setPosixFilePermissions(tmp.toPath(), PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // Not a POSIX file system: keep the default mode.
            }
            checkStopping();
            try {
                Files.move(tmp.toPath(), abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp.toPath(), abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            tmp.delete();
            PENDING.remove(tmp);
        }
    }

    /**
     * Creates the temporary file exclusively, as Files.createTempFile names it (".NAME.<random>.tmp")
     * but without SecureRandom (seeding it loads the security providers, about a tenth of insmod's
     * start-up), and registers it for the shutdown hook.
     */
    private static File create(Path abs, byte[] image) throws IOException {
        File dir = abs.getParent().toFile();
        long seed = System.nanoTime() ^ ((long) System.identityHashCode(image) << 32);
        for (int attempt = 0; ; attempt++) {
            File tmp = new File(dir, "." + abs.getFileName() + "."
                    + Long.toUnsignedString(seed + attempt * 0x9e3779b97f4a7c15L, 36) + ".tmp");
            synchronized (CREATING) {
                checkStopping();
                if (tmp.createNewFile()) { // O_EXCL; its errors say strerror's text
                    PENDING.add(tmp);
                    return tmp;
                }
                if (attempt >= 100) {
                    throw new FileAlreadyExistsException(tmp.getPath());
                }
            }
        }
    }

    private static void checkStopping() throws IOException {
        if (stopping) {
            throw new IOException("insmod is being stopped");
        }
    }
}
