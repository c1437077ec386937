package org.modutils.insmod.kernel;

/** A system call failed with {@code errno}; thrown by {@link Sys} implementations. */
public final class ErrnoException extends Exception {
    private final int errno;

    public ErrnoException(int errno) {
        super(Errno.text(errno), null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
