package org.modutils.insmod.deps;

/**
 * A failure that stops depmod, worded as kmod words it (without the "depmod: " prefix);
 * {@code fatal} says whether kmod reports it at FATAL rather than ERROR level. Nothing has been
 * written when it is thrown.
 */
public final class DepmodException extends Exception {
    private final boolean fatal;

    public DepmodException(String message, boolean fatal) {
        super(message, null, false, false);
        this.fatal = fatal;
    }

    public boolean fatal() {
        return fatal;
    }
}
