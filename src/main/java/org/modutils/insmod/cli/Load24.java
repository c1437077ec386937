package org.modutils.insmod.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.module.BlobWriter;
import org.modutils.insmod.module.Insmod24;
import org.modutils.insmod.module.LoadRequest;
import org.modutils.insmod.module.Linked;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.report.UserError;
import org.modutils.insmod.sys.IoReasons;

/**
 * insmod's side of a 2.4 load, over {@link Insmod24}: the load map (-m), the -O file, handing the
 * image to the kernel, the closing words and the exit status, as the original's init_module step.
 */
public final class Load24 {
    private Load24() {}

    /** What to show of the linked module: -m, and -O FILE (or null). */
    public record Output(boolean map, Path blob) {
        public static final Output NONE = new Output(false, null);
    }

    /** Exit status, and the image and its address when one was made (for tests and the fuzzers). */
    public record Result(int status, byte[] image, long address) {}

    public static Result run(LoadRequest req, Output output, Report log, Kernel kernel, KernelSymbols ksyms,
                             long imageLimit) {
        Linked l;
        try {
            l = Insmod24.link(req, kernel, ksyms, log, imageLimit);
        } catch (UserError e) {
            e.reportTo(log);
            return new Result(e.status(), null, 0);
        }
        switch (l.outcome()) {
            case PROBED:
            case ALREADY_LOADED:
                return new Result(0, null, 0);
            case NO_PERSIST_SUPPORT:
                return new Result(finish(l, req, log), null, l.address());
            default:
                break;
        }
        if (output.map()) {
            byte[] map = l.loadMap();
            log.info(map, map.length);
        }
        if (!writeBlob(output.blob(), l.image(), log) || !handOver(l, req, log)) {
            l.abandon();
            return new Result(1, l.image(), l.address());
        }
        return new Result(finish(l, req, log), l.image(), l.address());
    }

    /** -O: the image into a file; false after saying why it could not be written. */
    private static boolean writeBlob(Path blob, byte[] image, Report log) {
        if (blob == null) {
            return true;
        }
        try {
            BlobWriter.write(blob, image);
            return true;
        } catch (IOException e) {
            log.error("open " + blob + " failed " + IoReasons.of(e));
            return false;
        }
    }

    /** init_module, unless -n; false after the kernel's refusal and the original's hint. */
    private static boolean handOver(Linked l, LoadRequest req, Report log) {
        if (req.noload()) {
            return true;
        }
        try {
            l.handOver();
            return true;
        } catch (UserError e) {
            e.reportTo(log);
            log.info(Linked.INIT_MODULE_HINT);
            return false;
        }
    }

    private static int finish(Linked l, LoadRequest req, Report log) {
        if (l.warnings() > 0 && !req.noload()) {
            log.info("Module " + req.moduleName() + " loaded, with warnings");
        }
        return 0;
    }
}
