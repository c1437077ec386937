package org.modutils.insmod.kernel.remote;

import org.modutils.insmod.kernel.KernelException;

/** The link to the target agent failed (timeout, closed, corrupt data): not a kernel error, so errno is 0. */
public final class LinkException extends KernelException {
    public LinkException(String message) {
        super(0, message);
    }
}
