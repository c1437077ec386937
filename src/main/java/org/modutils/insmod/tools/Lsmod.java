package org.modutils.insmod.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.modutils.insmod.loaded.LoadedModules;
import org.modutils.insmod.sys.IoReasons;

/**
 * lsmod. On a 2.6+ kernel kmod's lsmod, output for output: the header, then per module of
 * /proc/modules {@code %-19s %8ld  %d} and its holders; no arguments. {@code --json} gives the
 * same as one JSON array (docs/json.md). On a 2.1-2.4 kernel modutils 2.4's lsmod ({@link LegacyTools}).
 */
public final class Lsmod {
    private Lsmod() {}

    public static int run(String[] args) {
        PrintStream out = Streams.out();
        PrintStream err = Streams.err();
        try {
            if (RunningKernel.remoteTarget(args) || RunningKernel.legacyKernel()) return LegacyTools.lsmod(args, out, err);
            return run(args, out, err, Path.of("/"));
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** lsmod over the /proc and /sys under {@code root}. */
    public static int run(String[] args, PrintStream out, PrintStream err, Path root) {
        boolean json = args.length == 1 && args[0].equals("--json");
        if (args.length != 0 && !json) {
            err.print("Usage: lsmod\n");
            return 1;
        }
        List<LoadedModules.Module> mods;
        try {
            mods = new LoadedModules(root).list();
        } catch (IOException e) {
            err.print("Error: could not get list of modules: " + IoReasons.of(e) + "\n");
            return 1;
        }
        if (json) {
            out.print(json(mods) + "\n");
            return 0;
        }
        StringBuilder sb = new StringBuilder("Module                  Size  Used by\n");
        for (LoadedModules.Module m : mods) {
            // kmod's "%-19s %8ld  %d", without java.util.Formatter (its regex classes cost start-up)
            sb.append(m.name());
            for (int i = m.name().length(); i < 19; i++) sb.append(' ');
            String size = Long.toString(m.size());
            sb.append(' ');
            for (int i = size.length(); i < 8; i++) sb.append(' ');
            sb.append(size).append("  ").append(m.useCount());
            for (int i = 0; i < m.holders().size(); i++) sb.append(i == 0 ? ' ' : ',').append(m.holders().get(i));
            sb.append('\n');
        }
        out.print(sb);
        return 0;
    }

    private static String json(List<LoadedModules.Module> mods) {
        Json j = new Json().begin('[');
        for (LoadedModules.Module m : mods) {
            j.begin('{').field("name", m.name()).key("size").value(m.size()).key("used").value(m.useCount());
            j.key("holders").begin('[');
            for (String h : m.holders()) j.value(h);
            j.end(']').end('}');
        }
        return j.end(']').toString();
    }
}
