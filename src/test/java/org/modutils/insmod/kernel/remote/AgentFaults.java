package org.modutils.insmod.kernel.remote;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.modutils.insmod.kernel.KernelException;

/**
 * The fault drills of the real-kernel test (scripts/vm-legacy-test.sh), against a target agent:
 *
 * <pre>
 * java -cp target/classes:target/test-classes org.modutils.insmod.kernel.remote.AgentFaults TARGET COMMAND NAME [--idle S]
 * </pre>
 * {@code hang} creates NAME and waits: interrupting it (SIGINT/SIGTERM) must delete the module
 * from this side at once.
 * {@code abandon} creates NAME, sends the first half of its image and then stops talking (it
 * waits to be killed), as an insmod killed mid-transfer would; the agent's idle timer must delete
 * the module. {@code cut} loads NAME over a link that breaks mid-transfer: the load must fail with
 * a link error and this side must reconnect and delete the module.
 */
public final class AgentFaults {
    private AgentFaults() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3) {
            err.println("usage: AgentFaults TARGET abandon|cut|hang NAME [--idle S]");
            return 1;
        }
        int idle = RemoteKernel.Options.defaults().idleSeconds();
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        if (rest.length >= 3 && rest[1].equals("--idle")) {
            idle = Integer.parseInt(rest[2]);
        }
        try {
            switch (args[1]) {
                case "abandon":
                    return abandon(args[0], rest, idle, out, err);
                case "cut":
                    return cut(args[0], rest[0], out, err);
                case "hang":
                    return hang(args[0], rest[0], idle, out);
                default:
                    err.println("insmod-agentfaults: unknown command " + args[1]);
                    return 1;
            }
        } catch (KernelException e) {
            err.println("insmod-agentctl: " + args[0] + ": " + e.getMessage());
            return 1;
        }
    }

    /** Creates NAME and waits to be interrupted: RemoteKernel's interrupt handling must delete it. */
    private static int hang(String spec, String name, int idle, PrintStream out) throws KernelException {
        RemoteKernel.Options d = RemoteKernel.Options.defaults();
        RemoteKernel k = RemoteKernel.open(spec, new RemoteKernel.Options(d.timeoutMillis(), d.initTimeoutMillis(), idle));
        try {
            long addr = k.createModule(name, AgentCtl.bareSize(name));
            out.printf("created %s at 0x%08x; waiting to be interrupted%n", name, addr);
            out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        } finally {
            k.close();
        }
    }

    private static int abandon(String spec, String[] a, int idle, PrintStream out, PrintStream err) {
        if (a.length < 1) {
            err.println("insmod-agentctl: abandon wants a module name");
            return 1;
        }
        String name = a[0];
        try {
            Link link = RemoteKernel.opener(spec).open();
            AgentClient c = AgentClient.connect(link, idle, 15_000);
            long size = 64 * 1024;                          // two stage chunks, so the cut is mid-image
            AgentClient.Reply r = c.call(Protocol.CREATE_MODULE, Bytes.builder().u32(size).cstring(name).build(),
                    "create_module(" + name + ")");
            long addr = Bytes.getUInt(r.result(), 0);
            byte[] half = new byte[Protocol.CHUNK];
            c.call(Protocol.STAGE, Bytes.builder().u32(0).u32(size).bytes(half, 0, half.length).build(), "stage");
            out.printf("created %s at 0x%08x, sent %d of %d bytes; now silent until killed%n", name, addr,
                    half.length, size);
            out.flush();
            Thread.sleep(Long.MAX_VALUE);
            return 0;
        } catch (KernelException e) {
            err.println("insmod-agentctl: " + spec + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("insmod-agentctl: cannot reach " + spec + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Loads a bare module over a link that dies after the first stage chunk, then checks this side cleans up. */
    private static int cut(String spec, String name, PrintStream out, PrintStream err) throws KernelException {
        RemoteKernel.LinkOpener real = RemoteKernel.opener(spec);
        int[] opened = {0};
        RemoteKernel.LinkOpener faulty = () -> {
            Link l = real.open();
            return opened[0]++ == 0 ? new CuttingLink(l, 20_000) : l;
        };
        RemoteKernel.Options d = RemoteKernel.Options.defaults();
        try (RemoteKernel k = RemoteKernel.over(spec, faulty, d)) {
            long size = 48 * 1024;
            long addr = k.createModule(name, size);
            byte[] img = new byte[(int) size];
            byte[] bare = AgentCtl.bareModule(k, name, addr);
            System.arraycopy(bare, 0, img, 0, bare.length);
            AgentCtl.putWord(img, 12, size, k.agent().bigEndian());
            try {
                k.initModule(name, img);
                err.println("insmod-agentctl: cut: the load went through although the link was cut");
                return 1;
            } catch (LinkException e) {
                out.println("load failed as expected: " + e.getMessage());
            }
            k.deleteModule(name);
            out.println("reconnected and deleted " + name);
            byte[] mods = k.readFile("/proc/modules");
            boolean gone = mods == null || new String(mods, StandardCharsets.ISO_8859_1).lines()
                    .noneMatch(l -> l.startsWith(name + " "));
            if (!gone) {
                err.println("insmod-agentctl: cut: " + name + " is still in /proc/modules");
                return 1;
            }
            out.println(name + " is not in /proc/modules");
            return 0;
        }
    }

}
