package org.modutils.insmod.module;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.report.Counting;
import org.modutils.insmod.report.UserError;

/** The state one 2.4 load carries from step to step (the original's globals). */
final class Session {
    final LoadRequest req;
    final Counting log;
    final Kernel kernel;
    final KernelSymbols ksyms;
    final long imageLimit;
    ObjFile f;
    Target target;
    /** Warnings given: a real load that had any says "loaded, with warnings". */
    int warnings;
    /** The module has a .modinfo kernel_version (else the 2.0 kernel_version symbol). */
    boolean hasModinfo;
    /** The symbol version prefix (-P or derived). */
    String prefix;
    /** The persistent-data file in use, or null. */
    String persist;

    Session(LoadRequest req, Counting log, Kernel kernel, KernelSymbols ksyms, long imageLimit) {
        this.req = req;
        this.log = log;
        this.kernel = kernel;
        this.ksyms = ksyms;
        this.imageLimit = imageLimit;
    }

    /** The image bound: a size beyond it stops the run. */
    void checkLimit(long size, String what) throws UserError {
        ObjFile.checkLimit(size, imageLimit, what);
    }

    /** delete_module after a failure past create_module (the original ignores its result too). */
    void deleteAfterFailure() {
        if (!req.noload()) {
            try {
                kernel.deleteModule(req.moduleName());
            } catch (org.modutils.insmod.kernel.KernelException ignored) {
                // nothing more to say: the failure that led here has been reported
            }
        }
    }
}
