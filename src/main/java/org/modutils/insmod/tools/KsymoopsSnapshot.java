package org.modutils.insmod.tools;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.remote.RemoteKernel;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.sys.Snapshot;

/**
 * The ksymoops snapshot of /proc/ksyms and /proc/modules (modutils' snap_shot) that insmod and
 * rmmod leave: into /var/log/ksymoops (INSMOD_KSYMOOPS_DIR for tests) when it exists, on the
 * target through its agent for a remote kernel.
 */
public final class KsymoopsSnapshot {
    /** How a tool words a failure (before ": reason"): here, and on a remote target. */
    public record Words(String local, String remote) {}

    /** insmod's words. */
    public static final Words INSMOD = new Words("cannot read the kernel's symbol table for the snapshot",
            "cannot write the ksymoops snapshot on the target");

    /** rmmod's words. */
    static final Words RMMOD = new Words("cannot take the ksymoops snapshot", "cannot take the ksymoops snapshot");

    private KsymoopsSnapshot() {}

    /** Takes the snapshot; a failure is one error on {@code log}. */
    public static void take(Kernel kernel, Map<String, String> env, Report log, Words words) {
        if (kernel instanceof RemoteKernel remote) {
            try {
                remote(remote);
            } catch (KernelException e) {
                log.error(words.remote() + ": " + e.getMessage());
            }
            return;
        }
        String dir = env.get("INSMOD_KSYMOOPS_DIR");
        Snapshot snap = new Snapshot(dir != null ? Path.of(dir) : Snapshot.DEFAULT_DIR, Clock.systemDefaultZone(),
                log::error);
        if (!snap.enabled()) {
            return; // snapshots off: do not read the symbol table for nothing
        }
        try {
            snap.take(kernel.readFile("/proc/ksyms"), kernel.readFile("/proc/modules"));
        } catch (KernelException e) {
            log.error(words.local() + ": " + e.getMessage());
        }
    }

    private static void remote(RemoteKernel k) throws KernelException {
        String dir = Snapshot.DEFAULT_DIR.toString();
        if (!k.isDirectory(dir)) {
            return;
        }
        String ts = Snapshot.stamp(LocalDateTime.ofEpochSecond(k.time(), 0, ZoneOffset.UTC));
        byte[] ksyms = k.readFile("/proc/ksyms");
        byte[] modules = k.readFile("/proc/modules");
        if (ksyms != null) {
            k.writeFile(dir + "/" + ts + ".ksyms", ksyms);
        }
        if (modules != null) {
            k.writeFile(dir + "/" + ts + ".modules", modules);
        }
    }
}
