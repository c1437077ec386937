package org.modutils.insmod.modinfo;

import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.report.UserError;

/**
 * A module modinfo cannot show: the project's {@link UserError} with the errno kmod would
 * report (0 when there is none); its one line is the text after "modinfo: ERROR: ".
 */
public final class ModinfoException extends UserError {
    private final int errno;

    public ModinfoException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The errno with its strerror text as the message, as libkmod's callers print it. */
    public ModinfoException(int errno) {
        this(errno, Errno.text(errno));
    }

    public int errno() {
        return errno;
    }
}
