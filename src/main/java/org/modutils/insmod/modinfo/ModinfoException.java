package org.modutils.insmod.modinfo;

/** A module that cannot be shown: the errno kmod would report (0 when not an errno) and the text. */
public final class ModinfoException extends Exception {
    private final int errno;

    public ModinfoException(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
