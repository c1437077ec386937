package org.modutils.insmod.sys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An exclusive {@code flock(2)} on a file, as insmod {@code -L} takes on the module file so
 * that simultaneous loads of the same module run one after the other.
 *
 * <p>Java's {@code FileChannel.lock} uses POSIX record locks ({@code fcntl}), which do not
 * exclude {@code flock} holders such as the original insmod or modprobe; this class calls
 * {@code flock} itself through JNA on a descriptor it opens read-only. The lock belongs to
 * that descriptor: it is released by {@link #close()} (or when the process exits).
 *
 * <pre>{@code
 * try (Flock lock = Flock.exclusive(moduleFile)) {
 *     ... create_module / init_module ...
 * }
 * }</pre>
 */
public final class Flock implements AutoCloseable {
    private final Path file;
    private int fd;

    private Flock(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /**
     * Opens {@code file} read-only and blocks until it holds {@code LOCK_EX} on it.
     *
     * @throws IOException with the strerror text when the file cannot be opened or locked
     */
    public static Flock exclusive(Path file) throws IOException {
        return lock(file, false).orElseThrow();
    }

    /**
     * Like {@link #exclusive(Path)} but with {@code LOCK_NB}: empty when another open file
     * description holds a conflicting lock.
     */
    public static Optional<Flock> tryExclusive(Path file) throws IOException {
        return lock(file, true);
    }

    private static Optional<Flock> lock(Path file, boolean nonBlocking) throws IOException {
        LibC c = LibC.get();
        String name = file.toString();
        int fd = c.open(name, LibC.O_RDONLY, 0);
        if (fd < 0) {
            throw new IOException(name + ": " + LibC.describe(LibC.errno()));
        }
        int op = LibC.LOCK_EX | (nonBlocking ? LibC.LOCK_NB : 0);
        while (true) {
            if (c.flock(fd, op) == 0) {
                return Optional.of(new Flock(file, fd));
            }
            int err = LibC.errno();
            if (err == LibC.EINTR) {
                continue;
            }
            c.close(fd);
            if (nonBlocking && err == LibC.EWOULDBLOCK) {
                return Optional.empty();
            }
            throw new IOException("flock " + name + ": " + LibC.describe(err));
        }
    }

    /** The locked file. */
    public Path file() {
        return file;
    }

    /** Releases the lock ({@code LOCK_UN}) and closes the descriptor; idempotent. */
    @Override
    public void close() {
        if (fd >= 0) {
            LibC c = LibC.get();
            c.flock(fd, LibC.LOCK_UN);
            c.close(fd);
            fd = -1;
        }
    }
}
