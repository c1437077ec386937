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

/** Writes the -O image atomically: a temporary file in the same directory, renamed when complete. */
public final class BlobWriter {
    private BlobWriter() {}

    private static final Set<PosixFilePermission> PRIVATE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    public static void write(Path target, byte[] image) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        FileChannel ch = null;
        // The temporary file as Files.createTempFile makes it (".NAME.<random>.tmp", mode 0600,
        // created exclusively), but named without SecureRandom: seeding it loads the security
        // providers, about a tenth of insmod's start-up.
        long seed = System.nanoTime() ^ ((long) System.identityHashCode(image) << 32);
        for (int attempt = 0; ch == null; attempt++) {
            tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(seed + attempt * 0x9e3779b97f4a7c15L, 36)
                    + ".tmp");
            try {
                ch = open(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
        try {
            try (FileChannel c = ch) {
                org.modutils.insmod.sys.FileBytes.write(c, image);
                c.force(true);
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
        } finally {
            Files.deleteIfExists(tmp);
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
}
