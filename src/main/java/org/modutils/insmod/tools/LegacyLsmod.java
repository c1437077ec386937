package org.modutils.insmod.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.commons.cli.Options;
import org.modutils.insmod.sys.Getopt;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.kernel.ModuleTable;

/**
 * modutils 2.4's lsmod for 2.1-2.4 kernels, here or on a --target: a header with the kernel's
 * taint state, then per module (query_module, newest first) "%-20s%8lu%4ld " name, size and
 * use count, the state markers and the users in brackets. A caller that is not root gets the
 * header and a byte copy of /proc/modules, as the original printed it.
 */
public final class LegacyLsmod {
    static final String USAGE = "Usage:\n"
            + "lsmod [-Vh]\n"
            + "\n"
            + " -V, --version    Print the release version\n"
            + " -h, --help       Print this message\n";

    private static final Options OPTIONS = ToolOptions.of("V:version", "h:help");

    private static final int TAINT_PROPRIETARY = 1, TAINT_FORCED = 2, TAINT_UNSAFE_SMP = 4;

    private LegacyLsmod() {}

    public static int run(String[] args) {
        return run(args, ToolEnv.standard());
    }

    public static int run(String[] args, ToolEnv env) {
        return ToolOptions.run("lsmod", OPTIONS, USAGE, args, env, (g, log) -> main(g, env, log));
    }

    private static int main(Getopt g, ToolEnv env, ToolLog log) {
        String target = null;
        for (Getopt.Opt o : g.options) {
            switch (o.key()) {
                case "V":
                    env.err().print("lsmod version " + ToolEnv.VERSION + "\n");
                    return 0;
                case "h":
                    env.err().print(USAGE);
                    return 0;
                case "target":
                    target = o.arg();
                    break;
                default:
                    break;
            }
        }
        return env.withKernel(target, log, kernel -> list(kernel, kernel instanceof LinuxKernel && !isRoot(), log));
    }

    private static int list(Kernel kernel, boolean copyProc, ToolLog log) throws KernelException {
        StringBuilder out = new StringBuilder("Module                  Size  Used by    ");
        int tainted = kernel.tainted();
        if (tainted > 0) {
            out.append("Tainted: ").append((tainted & TAINT_PROPRIETARY) != 0 ? 'P' : 'G')
                    .append((tainted & TAINT_FORCED) != 0 ? 'F' : ' ')
                    .append((tainted & TAINT_UNSAFE_SMP) != 0 ? 'S' : ' ');
        } else if (tainted == 0) {
            out.append("Not tainted");
        }
        out.append('\n');
        log.out().print(out);                           // the header comes first, whatever follows
        out.setLength(0);
        if (copyProc) {
            byte[] proc = kernel.readFile("/proc/modules");
            if (proc == null) {
                log.perror("/proc/modules", "No such file or directory");
                return 1;
            }
            log.out().write(proc, 0, proc.length);
            return 0;
        }
        ModuleTable table = kernel.moduleTable(ModuleQuery.STATUS);
        for (ModuleStatus m : table.modules()) {
            line(out, m);
        }
        log.out().print(out);
        return 0;
    }

    /** One module as modutils 2.4's lsmod printed it. */
    static void line(StringBuilder out, ModuleStatus m) {
        out.append(m.name());
        pad(out, 20 - m.name().length(), "");
        String size = Long.toUnsignedString(m.size());
        pad(out, 8 - size.length(), size);
        String use = Long.toString(m.useCount());
        pad(out, 4 - use.length(), use);
        out.append(' ');
        if (m.has(ModuleStatus.DELETED)) {
            out.append(" (deleted)");
        } else if (m.has(ModuleStatus.INITIALIZING)) {
            out.append(" (initializing)");
        } else if (!m.has(ModuleStatus.RUNNING)) {
            out.append(" (uninitialized)");
        } else {
            if (m.has(ModuleStatus.AUTOCLEAN)) {
                out.append(" (autoclean)");
            }
            if (!m.has(ModuleStatus.USED_ONCE)) {
                out.append(" (unused)");
            }
        }
        if (!m.users().isEmpty()) {
            out.append(" [").append(String.join(" ", m.users())).append(']');
        }
        out.append('\n');
    }

    private static void pad(StringBuilder out, int n, String then) {
        for (int i = 0; i < n; i++) {
            out.append(' ');
        }
        out.append(then);
    }

    /** getuid() == 0, from /proc/self/status (no JNA needed to know). */
    static boolean isRoot() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (l.startsWith("Uid:")) {
                    return l.substring(4).trim().split("\\s+")[0].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: assume root, the query path then says what the kernel refuses
        }
        return true;
    }
}
