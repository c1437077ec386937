package org.modutils.insmod.cli;

import java.nio.file.Path;
import java.util.Map;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.remote.RemoteKernel;
import org.modutils.insmod.sys.Snapshot;
import org.modutils.insmod.tools.ToolLog;

/** The ksymoops snapshot every real load attempt leaves, when /var/log/ksymoops exists. */
final class Snapshots {
    private Snapshots() {}

    static void take(Kernel kernel, Map<String, String> env, ToolLog log) {
        if (kernel instanceof RemoteKernel remote) {
            remote(remote, log);
            return;
        }
        String dir = env.get("INSMOD_KSYMOOPS_DIR");
        Snapshot snap = dir != null ? new Snapshot(Path.of(dir), java.time.Clock.systemDefaultZone(), log::error)
                : Snapshot.standard(log::error);
        try {
            snap.take(kernel.readFile("/proc/ksyms"), kernel.readFile("/proc/modules"));
        } catch (KernelException e) {
            log.error("cannot read the kernel's symbol table for the snapshot: " + e.getMessage());
        }
    }

    /** The same snapshot on a remote target, written there through its agent. */
    private static void remote(RemoteKernel k, ToolLog log) {
        String dir = "/var/log/ksymoops";
        try {
            if (!k.isDirectory(dir)) {
                return;
            }
            String ts = java.time.format.DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
                    .format(java.time.LocalDateTime.ofEpochSecond(k.time(), 0, java.time.ZoneOffset.UTC));
            byte[] ksyms = k.readFile("/proc/ksyms");
            byte[] modules = k.readFile("/proc/modules");
            if (ksyms != null) {
                k.writeFile(dir + "/" + ts + ".ksyms", ksyms);
            }
            if (modules != null) {
                k.writeFile(dir + "/" + ts + ".modules", modules);
            }
        } catch (KernelException e) {
            log.error("cannot write the ksymoops snapshot on the target: " + e.getMessage());
        }
    }
}
