package org.modutils.insmod.kernel.remote;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.LoadedModule;

/**
 * A small console for a target agent: check that it answers, read target files and the kernel
 * log, list what query_module sees, and run a load self-test with the smallest valid 2.4 module
 * (a bare struct module: no code, no symbols) to prove create/init/delete_module end to end.
 *
 * <pre>
 * java -cp insmod.jar org.modutils.insmod.kernel.remote.AgentCtl TARGET COMMAND [ARGS]
 *   info | cat PATH... | dmesg | modules | ksyms | write PATH (data on stdin) | isdir PATH
 *   delete NAME | selftest NAME   [--idle S]
 * </pre>
 * The fault drills of the real-kernel test (a load abandoned, cut or interrupted mid-transfer)
 * are test code: {@code AgentFaults} in src/test.
 */
public final class AgentCtl {
    private AgentCtl() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2) {
            err.println("usage: AgentCtl TARGET info|cat PATH...|dmesg|modules|ksyms|write PATH|isdir PATH|delete NAME|selftest NAME [--idle S]");
            return 1;
        }
        int idle = RemoteKernel.Options.defaults().idleSeconds();
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        for (int i = 0; i + 1 < rest.length; i++) {
            if (rest[i].equals("--idle")) {
                try {
                    idle = Integer.parseInt(rest[i + 1]);
                } catch (NumberFormatException e) {
                    err.println("insmod-agentctl: --idle wants seconds");
                    return 1;
                }
                String[] r2 = new String[rest.length - 2];
                System.arraycopy(rest, 0, r2, 0, i);
                System.arraycopy(rest, i + 2, r2, i, rest.length - i - 2);
                rest = r2;
                break;
            }
        }
        RemoteKernel.Options d = RemoteKernel.Options.defaults();
        RemoteKernel k = null;
        try {
            k = RemoteKernel.open(args[0], new RemoteKernel.Options(d.timeoutMillis(), d.initTimeoutMillis(), idle));
            return command(k, args[1], rest, out, err);
        } catch (KernelException e) {
            err.println("insmod-agentctl: " + args[0] + ": " + e.getMessage());
            return 1;
        } finally {
            if (k != null)
                k.close();
        }
    }

    private static int command(RemoteKernel k, String cmd, String[] a, PrintStream out, PrintStream err)
            throws KernelException {
        switch (cmd) {
            case "info" -> {
                info(k, out);
                return 0;
            }
            case "cat" -> {
                return cat(k, a, out, err);
            }
            case "dmesg" -> {
                byte[] b = k.kernelLog();
                out.write(b, 0, b.length);
                out.flush();
                return 0;
            }
            case "modules", "ksyms" -> {
                listSymbols(k.symbols(), cmd.equals("modules"), out);
                return 0;
            }
            case "write" -> {
                need(a, 1);
                return write(k, a[0], err);
            }
            case "isdir" -> {
                need(a, 1);
                boolean dir = k.isDirectory(a[0]);
                out.println(a[0] + (dir ? ": directory" : ": not a directory"));
                return dir ? 0 : 1;
            }
            case "delete" -> {
                need(a, 1);
                k.deleteModule(a[0]);
                return 0;
            }
            case "selftest" -> {
                need(a, 1);
                return selftest(k, a[0], out, err);
            }
            default -> {
                err.println("insmod-agentctl: unknown command " + cmd);
                return 1;
            }
        }
    }

    private static void info(RemoteKernel k, PrintStream out) throws KernelException {
        AgentClient.Hello h = k.agent();
        out.println("target:  " + k.spec());
        out.println("agent:   protocol " + h.version() + ", " + h.arch() + ", " + h.wordSize() * 8 + "-bit "
                + (h.bigEndian() ? "big" : "little") + " endian, idle limit " + h.idleSeconds() + " s");
        out.println("kernel:  " + k.sysname() + " " + k.release() + " " + k.version() + " " + k.machine());
        out.println("modules: " + (k.legacy() ? "query_module present (2.1-2.4 interface)" : "no query_module"));
        out.println("clock:   " + k.time() + " (target seconds since the epoch)");
    }

    private static int cat(RemoteKernel k, String[] paths, PrintStream out, PrintStream err) throws KernelException {
        int rc = 0;
        for (String p : paths) {
            byte[] b = k.readFile(p);
            if (b == null) {
                err.println("insmod-agentctl: " + p + ": no such file on the target");
                rc = 1;
            } else {
                out.write(b, 0, b.length);
            }
        }
        out.flush();
        return rc;
    }

    /** "modules": one line a module and the kernel's count; "ksyms": every symbol, modules first. */
    private static void listSymbols(KernelSymbols s, boolean modules, PrintStream out) {
        for (LoadedModule m : s.modules()) {
            if (modules) {
                out.printf("%-20s %08x %d symbols%n", m.name(), m.address(), m.symbols().size());
            } else {
                for (KernelSymbol sym : m.symbols())
                    out.printf("%08x %s\t[%s]%n", sym.value(), sym.name(), m.name());
            }
        }
        if (modules)
            out.println("kernel: " + s.kernel().size() + " symbols");
        else
            for (KernelSymbol sym : s.kernel())
                out.printf("%08x %s%n", sym.value(), sym.name());
    }

    /** Writes standard input to {@code path} on the target. */
    private static int write(RemoteKernel k, String path, PrintStream err) throws KernelException {
        byte[] data;
        try {
            data = System.in.readAllBytes();
        } catch (IOException e) {
            err.println("insmod-agentctl: cannot read stdin: " + e.getMessage());
            return 1;
        }
        k.writeFile(path, data);
        return 0;
    }

    private static void need(String[] a, int n) throws KernelException {
        if (a.length < n)
            throw new KernelException("missing argument");
    }

    static long bareSize(String name) {
        return (0x60 + name.length() + 1 + 15) & ~15L;
    }

    /**
     * The smallest image a 2.4 kernel accepts: a 32-bit struct module (0x60 bytes: size_of_struct,
     * next, name, size, usecount, flags, nsyms, ndeps, syms, deps, refs, init, cleanup, ex_table
     * start/end, persist start/end, can_unload, runsize, kallsyms start/end, archdata start/end,
     * kernel_data) followed by the name; everything else zero.
     */
    static byte[] bareModule(RemoteKernel k, String name, long address) throws KernelException {
        AgentClient.Hello h = k.agent();
        if (h.wordSize() != 4)
            throw new KernelException("the self-test image is for 32-bit targets only");
        byte[] img = new byte[(int) bareSize(name)];
        putWord(img, 0, 0x60, h.bigEndian());
        putWord(img, 8, address + 0x60, h.bigEndian());
        putWord(img, 12, img.length, h.bigEndian());
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, img, 0x60, n.length);
        return img;
    }

    static void putWord(byte[] b, int off, long v, boolean be) {
        for (int i = 0; i < 4; i++)
            b[off + (be ? 3 - i : i)] = (byte) (v >>> (8 * i));
    }

    private static int selftest(RemoteKernel k, String name, PrintStream out, PrintStream err) throws KernelException {
        long size = bareSize(name);
        long addr = k.createModule(name, size);
        out.printf("create_module(%s, %d) = 0x%08x%n", name, size, addr);
        try {
            k.initModule(name, bareModule(k, name, addr));
        } catch (KernelException e) {
            err.println("insmod-agentctl: init_module(" + name + "): " + e.getMessage());
            k.deleteModule(name);
            return 1;
        }
        out.println("init_module(" + name + ") = 0");
        boolean listed = false;
        for (LoadedModule m : k.symbols().modules())
            if (m.name().equals(name)) {
                listed = true;
                out.printf("query_module: %s at 0x%08x%n", m.name(), m.address());
                if (m.address() != addr) {
                    err.println("insmod-agentctl: QM_INFO address differs from create_module's");
                    return 1;
                }
            }
        byte[] mods = k.readFile("/proc/modules");
        String text = mods == null ? "" : new String(mods, StandardCharsets.ISO_8859_1);
        out.print(text);
        boolean inProc = text.lines().anyMatch(l -> l.startsWith(name + " "));
        k.deleteModule(name);
        out.println("delete_module(" + name + ") = 0");
        byte[] after = k.readFile("/proc/modules");
        boolean gone = after == null || new String(after, StandardCharsets.ISO_8859_1).lines()
                .noneMatch(l -> l.startsWith(name + " "));
        if (!listed || !inProc || !gone) {
            err.println("insmod-agentctl: selftest failed: query_module " + (listed ? "listed" : "did not list")
                    + " it, /proc/modules " + (inProc ? "listed" : "did not list") + " it, after delete it is "
                    + (gone ? "gone" : "still there"));
            return 1;
        }
        out.println("selftest passed");
        return 0;
    }
}
