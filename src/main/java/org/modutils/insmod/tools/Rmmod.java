package org.modutils.insmod.tools;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.loaded.LoadedModules;
import org.modutils.insmod.loaded.Removal;
import org.modutils.insmod.modinfo.ModuleDirectory;
import org.modutils.insmod.sys.Syslog;

/**
 * rmmod. On a 2.6+ kernel kmod's rmmod: {@code -f -s -v -V -h}, its checks (built in, not
 * loaded, in use by, in use), delete_module with O_NONBLOCK (and O_TRUNC for -f), its messages
 * and exit status (1 when any module was not removed). On a 2.1-2.4 kernel modutils 2.4's rmmod
 * ({@link LegacyTools}).
 */
public final class Rmmod {
    private Rmmod() {}

    static final Options OPTIONS = new Options()
            .addOption(new Option("f", "force", false, null))
            .addOption(new Option("s", "syslog", false, null))
            .addOption(new Option("v", "verbose", false, null))
            .addOption(new Option("V", "version", false, null))
            .addOption(new Option("h", "help", false, null));

    public static int run(String[] args) {
        PrintStream out = Streams.out();
        PrintStream err = Streams.err();
        try {
            LinuxKernel k = new LinuxKernel();
            if (RunningKernel.remoteTarget(args) || RunningKernel.legacyKernel()) return LegacyTools.rmmod(args, out, err);
            ModuleDirectory dir = new ModuleDirectory("/lib/modules/" + RunningKernel.release());
            Removal r = new Removal(new LoadedModules(Path.of("/")), k::deleteModule, dir::isBuiltin);
            return run(args, out, err, r);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** One run over {@code removal} (the running kernel, or a stand-in in tests). */
    public static int run(String[] args, PrintStream out, PrintStream err, Removal removal) {
        Getopt g;
        try {
            g = Getopt.parse(OPTIONS, args, Getopt.IGNORE);
        } catch (Getopt.UsageError e) {
            err.print("rmmod: " + e.getMessage() + "\n");
            return 1;
        }
        boolean force = false, syslog = false;
        for (Getopt.Opt o : g.options) {
            switch (o.key()) {
                case "f": force = true; break;
                case "s": syslog = true; break;
                case "v": break;
                case "h": out.print(help()); return 0;
                case "V": out.print("rmmod (Linux modutils) 2.4.16, kmod-compatible\n"); return 0;
                default: return 1;
            }
        }
        Syslog log = syslog ? Syslog.open("rmmod", Syslog.LOG_DAEMON, Syslog.DEFAULT_SOCKET, java.time.Clock.systemDefaultZone(),
                Syslog.DEFAULT_CONSOLE) : null;
        try {
            if (g.operands.isEmpty()) {
                error(log, err, "missing module name.");
                return 1;
            }
            int failed = 0;
            for (String arg : g.operands) {
                Removal.Outcome o = removal.remove(new Removal.Request(arg, force));
                for (String e : o.errors()) error(log, err, e);
                if (!o.removed()) failed++;
            }
            return failed == 0 ? 0 : 1;
        } finally {
            if (log != null) log.close();
        }
    }

    /** kmod's ERR: "rmmod: ERROR: text" on stderr, or "ERROR: text" to syslog with -s. */
    private static void error(Syslog log, PrintStream err, String text) {
        if (log != null) log.error("ERROR: " + text);
        else err.print("rmmod: ERROR: " + text + "\n");
    }

    static String help() {
        return "Usage:\n"
                + "\trmmod [options] modulename ...\n"
                + "Options:\n"
                + "\t-f, --force       forces a module unload and may crash your\n"
                + "\t                  machine. This requires Forced Module Removal\n"
                + "\t                  option in your kernel. DANGEROUS\n"
                + "\t-s, --syslog      print to syslog, not stderr\n"
                + "\t-v, --verbose     enables more messages\n"
                + "\t-V, --version     show version\n"
                + "\t-h, --help        show this help\n";
    }

}
