package org.modutils.insmod.kernel;

import java.util.List;

import org.modutils.insmod.report.UserError;

/**
 * A kernel (or a remote target's agent) refused or could not be reached: a {@link UserError}
 * whose text is the kernel's answer, with the errno it came with ({@link #NOT_A_SYSCALL} when the
 * failure is not a system call's, e.g. a malformed --target).
 */
public class KernelException extends UserError {
    /** The errno of a failure that did not come from a system call. */
    public static final int NOT_A_SYSCALL = 0;

    private final int errno;

    public KernelException(int errno, String message) {
        super(List.of(message), 1);
        this.errno = errno;
    }

    /** A failure that is not a system call's (no errno). */
    public KernelException(String message) {
        this(NOT_A_SYSCALL, message);
    }

    public int errno() {
        return errno;
    }

    /** True when a system call failed with {@link #errno}; false for a failure of another kind (a lost link, a short answer). */
    public boolean fromSyscall() {
        return errno != NOT_A_SYSCALL;
    }

    /**
     * The reason as the original printed a failed call's: strerror of the errno, or this
     * failure's own sentence when it is not a system call's.
     */
    public String reason() {
        return fromSyscall() ? Errno.text(errno) : getMessage();
    }
}
