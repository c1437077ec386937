package org.modutils.insmod.cli;

import java.io.IOException;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.kernel.OfflineKernel;
import org.modutils.insmod.kernel.remote.RemoteKernel;
import org.modutils.insmod.sys.FileBytes;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.tools.ToolLog;

/**
 * The kernel a run talks to: a remote 2.4 target (--target), an offline symbol table (--ksyms,
 * with -n or -p), else the running kernel the host provides.
 */
final class KernelChoice {
    private final InsmodOptions s;
    private final String release;
    private final Insmod.Host host;
    private final ToolLog log;

    KernelChoice(InsmodOptions s, String release, Insmod.Host host, ToolLog log) {
        this.s = s;
        this.release = release;
        this.host = host;
        this.log = log;
    }

    /** The kernel, or null after saying why there is none. */
    Kernel kernel() throws KernelException {
        if (s.target != null) {
            return remote();
        }
        if (s.ksyms != null) {
            return offline();
        }
        return host.runningKernel().get();
    }

    private Kernel remote() throws KernelException {
        RemoteKernel k = RemoteKernel.open(s.target);
        if (!k.legacy()) {
            k.close();
            log.error("target " + s.target + " runs a kernel without query_module (2.6 or later): "
                    + "--target drives 2.1-2.4 kernels");
            return null;
        }
        return k;
    }

    private Kernel offline() {
        String version = s.version != null ? s.version : Insmod.procString("/proc/sys/kernel/version");
        byte[] table;
        try {
            table = FileBytes.read(org.modutils.insmod.sys.FileNames.forReading(s.ksyms));
        } catch (IOException e) {
            log.error(s.ksyms + ": " + IoReasons.of(e));
            return null;
        }
        KernelSymbols syms;
        try {
            syms = KsymsParser.parse(table);
        } catch (KernelException e) {
            log.error(s.ksyms + ": not a /proc/ksyms table: " + e.getMessage());
            return null;
        }
        if (!s.noload && !s.probe) {
            log.error("--ksyms describes a kernel that is not this one: add -n (or -p) to link offline");
            return null;
        }
        return new OfflineKernel(release, version, syms, true);
    }

    /** Closes a link to a remote target (nothing to do for the others). */
    static void close(Kernel kernel) {
        if (kernel instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a link to a remote target: nothing left to report
            }
        }
    }
}
