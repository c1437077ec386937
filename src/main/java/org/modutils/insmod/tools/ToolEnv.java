package org.modutils.insmod.tools;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.kernel.remote.RemoteKernel;

/**
 * What a tool of the family runs with: its streams, its environment and how it reaches a
 * kernel (the running one, or a remote 2.4 target through its agent for {@code --target}).
 * Tests hand in their own streams and a fake kernel.
 */
public record ToolEnv(PrintStream out, PrintStream err, Map<String, String> env, KernelOpener kernels) {
    /** The modutils release the tools report with -V (insmod's, cli.Insmod.VERSION). */
    public static final String VERSION = "2.4.16";


    /** Opens the kernel a run talks to: {@code target} is the --target spec, or null for this machine. */
    @FunctionalInterface
    public interface KernelOpener {
        Kernel open(String target) throws KernelException;
    }

    /** The process's own streams (ISO-8859-1, stdout buffered), environment and kernels. */
    public static ToolEnv standard() {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
        return new ToolEnv(out, err, System.getenv(), ToolEnv::openKernel);
    }

    static Kernel openKernel(String target) throws KernelException {
        return target == null ? new LinuxKernel() : RemoteKernel.open(target);
    }

    /** A tool's work on an open kernel: its exit status. */
    @FunctionalInterface
    interface KernelWork {
        int run(Kernel k) throws KernelException;
    }

    /**
     * Opens the kernel ({@code target}: the --target spec, or null for this machine), runs
     * {@code work} on it and closes it; a KernelException on the way is one error line and exit
     * status 1.
     */
    int withKernel(String target, ToolLog log, KernelWork work) {
        Kernel kernel;
        try {
            kernel = kernels.open(target);
        } catch (KernelException e) {
            log.error(e.getMessage());
            return 1;
        }
        try {
            return work.run(kernel);
        } catch (KernelException e) {
            log.error(e.getMessage());
            return 1;
        } finally {
            close(kernel);
        }
    }

    static void close(Kernel k) {
        if (k instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a link: nothing left to report
            }
        }
    }

    /** uname's five fields of the kernel's machine; UNAME_MACHINE replaces the machine, as rmmod allowed. */
    static List<String> uname(Kernel k, Map<String, String> env) throws KernelException {
        String[] u;
        if (k instanceof RemoteKernel r) {
            u = new String[] {r.sysname(), r.nodename(), r.release(), r.version(), r.machine()};
        } else {
            u = new String[] {proc(k, "/proc/sys/kernel/ostype", "Linux"), proc(k, "/proc/sys/kernel/hostname", ""),
                    k.release(), k.version(), k.machine()};
        }
        String m = env.get("UNAME_MACHINE");
        if (m != null) {
            u[4] = m.length() > 64 ? m.substring(0, 64) : m;
        }
        for (int i = 0; i < u.length; i++) {
            if (u[i] == null) {
                u[i] = "";
            }
        }
        return List.of(u);
    }

    private static String proc(Kernel k, String path, String fallback) throws KernelException {
        byte[] b = k.readFile(path);
        return b == null ? fallback : new String(b, StandardCharsets.ISO_8859_1).trim();
    }

    /** The kernel's machine clock: the target's through its agent, else this one's. */
    static long time(Kernel k) throws KernelException {
        return k instanceof RemoteKernel r ? r.time() : System.currentTimeMillis() / 1000;
    }
}
