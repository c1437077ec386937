package org.modutils.insmod.kernel;

/** A kernel call failed; {@code errno} is the positive error number (0 when not from a syscall). */
public class KernelException extends Exception {
    private final int errno;

    public KernelException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
