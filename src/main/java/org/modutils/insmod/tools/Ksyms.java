package org.modutils.insmod.tools;

import org.apache.commons.cli.Options;
import org.modutils.insmod.sys.Getopt;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.kernel.ModuleTable;
import org.modutils.insmod.kernel.remote.RemoteKernel;

/**
 * modutils 2.4's ksyms: the symbols the loaded modules export (query_module, modules newest
 * first), with -a the kernel's own too, with -m a line per module giving its address and size;
 * -h drops the column header. Addresses are as wide as the kernel's words.
 */
public final class Ksyms {
    static final String USAGE = "Usage:\n"
            + "ksyms [-ahm?V]\n"
            + "\n"
            + " -a, --all      Display all symbols\n"
            + " -h, --noheader Suppress the column header\n"
            + " -m, --info     Display module information\n"
            + " -H, --help     Print this message\n"
            + " -V, --version  Print the release version\n";

    private static final Options OPTIONS = ToolOptions.of("a:all", "m:info", "h:noheader", "V:version", "H:help",
            "-:json");

    private Ksyms() {}

    public static int run(String[] args) {
        return run(args, ToolEnv.standard());
    }

    public static int run(String[] args, ToolEnv env) {
        return ToolOptions.run("ksyms", OPTIONS, USAGE, args, env, (g, log) -> main(g, env, log));
    }

    private static int main(Getopt g, ToolEnv env, ToolLog log) {
        boolean all = false, info = false, header = true, json = false;
        String target = null;
        for (Getopt.Opt o : g.options) {
            switch (o.key()) {
                case "a" -> all = true;
                case "m" -> info = true;
                case "h" -> header = false;
                case "V" -> env.err().print("ksyms version " + ToolEnv.VERSION + "\n");
                case "H" -> {
                    env.err().print(USAGE);
                    return 0;
                }
                case "json" -> json = true;
                case "target" -> target = o.arg();
                default -> { }
            }
        }
        boolean showAll = all, showInfo = info, showHeader = header, asJson = json;
        return env.withKernel(target, log, kernel -> {
            ModuleTable t = kernel.moduleTable(showAll ? ModuleQuery.SYMBOLS : new ModuleQuery(true, false, true));
            int w = wordSize(kernel);
            log.out().print(asJson ? json(t, w, showAll) : format(t, w, showAll, showInfo, showHeader));
            return 0;
        });
    }

    /** The kernel's word size: the target agent's, else from uname -m (64-bit machines have 8-byte words). */
    static int wordSize(Kernel k) throws KernelException {
        if (k instanceof RemoteKernel r) {
            return r.agent().wordSize();
        }
        String m = k.machine();
        if (m == null) {
            return "32".equals(System.getProperty("sun.arch.data.model")) ? 4 : 8;
        }
        return m.contains("64") || m.equals("alpha") || m.equals("s390x") ? 8 : 4;
    }

    /** The whole listing, as modutils 2.4's ksyms printed it for a kernel of {@code wordSize}-byte words. */
    static String format(ModuleTable t, int wordSize, boolean all, boolean info, boolean header) {
        int w = 2 * wordSize;
        StringBuilder out = new StringBuilder(64 * 1024);
        if (header) {
            out.append(padRight("Address", w)).append("  ").append(padRight("Symbol", 32)).append("  Defined by\n");
        }
        for (ModuleStatus m : t.modules()) {
            if (info) {
                int start = out.length();
                out.append(hex(m.address(), w)).append("  (")
                        .append(Long.toUnsignedString(m.size() / 1024 + (m.size() % 1024 != 0 ? 1 : 0))).append("k)");
                int pad = w + 2 + 32 + 2 - (out.length() - start);
                out.append(" ".repeat(Math.abs(pad))).append('[').append(m.name()).append("]\n");
            }
            for (KernelSymbol s : m.symbols()) {
                out.append(hex(s.value(), w)).append("  ").append(padRight(s.name(), 32))
                        .append("  [").append(m.name()).append("]\n");
            }
        }
        if (all) {
            for (KernelSymbol s : t.kernel()) {
                out.append(hex(s.value(), w)).append("  ").append(padRight(s.name(), 32)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * --json (docs/json.md): one object on one line with the word size, every module (address,
     * size, the symbols it exports) and, with -a, the kernel's own symbols. Addresses are hex
     * strings, as wide as the kernel's words.
     */
    static String json(ModuleTable t, int wordSize, boolean all) {
        int w = 2 * wordSize;
        Json j = new Json().begin('{');
        j.key("word_size").value(wordSize);
        j.key("modules").begin('[');
        for (ModuleStatus m : t.modules()) {
            j.begin('{').field("name", m.name()).field("address", "0x" + hex(m.address(), w));
            j.key("size").value(m.size());
            symbols(j.key("symbols"), m.symbols(), w).end('}');
        }
        j.end(']');
        if (all) {
            symbols(j.key("kernel"), t.kernel(), w);
        }
        return j.end('}') + "\n";
    }

    private static Json symbols(Json j, Iterable<KernelSymbol> symbols, int w) {
        j.begin('[');
        for (KernelSymbol s : symbols) {
            j.begin('{').field("name", s.name()).field("address", "0x" + hex(s.value(), w)).end('}');
        }
        return j.end(']');
    }

    private static String padRight(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** "%0*lx" */
    private static String hex(long v, int width) {
        String h = Long.toHexString(width <= 8 ? v & 0xffffffffL : v);
        return h.length() >= width ? h : "0".repeat(width - h.length()) + h;
    }
}
