package org.modutils.insmod.tools;

import static org.modutils.insmod.sys.Syslog.LOG_CRIT;
import static org.modutils.insmod.sys.Syslog.LOG_ERR;
import static org.modutils.insmod.sys.Syslog.LOG_WARNING;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.deps.DepmodConfig;
import org.modutils.insmod.deps.DepmodException;
import org.modutils.insmod.deps.DepmodLog;
import org.modutils.insmod.deps.DepmodRequest;
import org.modutils.insmod.deps.DepmodResult;
import org.modutils.insmod.deps.ModuleDeps;
import org.modutils.insmod.deps.UpToDate;
import org.modutils.insmod.sys.Syslog;

/**
 * depmod for 2.6+ trees, as kmod 30's: options, messages ("depmod: WARNING: ..."), exit
 * status, and files written whole (each to a temporary name in the module directory, then
 * renamed), so a reader never sees half a modules.dep.
 */
public final class Depmod {
    private static final String SHORT = "aAb:C:E:F:euqrvnP:wmVh";
    private static final String[][] LONG = {
        {"all", "a"}, {"quick", "A"}, {"basedir", "b:"}, {"config", "C:"}, {"symvers", "E:"}, {"filesyms", "F:"},
        {"errsyms", "e"}, {"unresolved-error", "u"}, {"quiet", "q"}, {"root", "r"}, {"verbose", "v"},
        {"show", "n"}, {"dry-run", "n"}, {"symbol-prefix", "P:"}, {"warn", "w"}, {"map", "m"},
        {"version", "V"}, {"help", "h"},
    };

    private final PrintStream out;
    private final PrintStream err;
    private int verbose = LOG_WARNING;

    private final java.util.function.Supplier<org.modutils.insmod.kernel.Kernel> kernel;

    private Depmod(PrintStream out, PrintStream err, java.util.function.Supplier<org.modutils.insmod.kernel.Kernel> kernel) {
        this.out = out;
        this.err = err;
        this.kernel = kernel;
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, org.modutils.insmod.kernel.LinuxKernel::new);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)} with the running kernel given (2.4 depmod without -F). */
    public static int run(String[] args, PrintStream out, PrintStream err,
                          java.util.function.Supplier<org.modutils.insmod.kernel.Kernel> kernel) {
        return new Depmod(out, err, kernel).main(args);
    }

    /** The parsed command line. */
    private static final class Options {
        boolean all;
        boolean quick;
        boolean show;
        boolean printUnknown;
        boolean warnDups;
        String root = "";
        String systemMap;
        String symvers;
        char prefix;
        final List<String> configs = new ArrayList<>();
    }

    private int main(String[] args) {
        if (legacyWanted(args)) return LegacyDepmodTool.run(args, out, err, kernel);
        MiniGetopt g;
        try {
            g = MiniGetopt.parse(SHORT, LONG, args);
        } catch (MiniGetopt.UsageError e) {
            err.println("depmod: " + e.getMessage());
            return 1;
        }
        Options o = new Options();
        Integer early = options(g, o);
        if (early != null) return early;
        List<String> operands = g.operands;
        String kversion = RunningKernel.release();
        if (!operands.isEmpty()) {
            if (!operands.get(0).matches("\\s*\\+?\\d+\\.\\s*\\+?\\d+.*")) {
                log(LOG_ERR, "Bad version passed " + operands.get(0));
                return 1;
            }
            kversion = operands.get(0);
            operands = operands.subList(1, operands.size());
        }
        String dirname = o.root + "/lib/modules/" + kversion;
        if (operands.isEmpty()) o.all = true;
        if (o.quick) {
            if (o.show || UpToDate.check(dirname, this::logError)) return 0;
            o.all = true;
        }
        if (o.printUnknown && o.symvers == null && o.systemMap == null) {
            log(LOG_WARNING, "-e needs -E or -F");
            o.printUnknown = false;
        }
        DepmodRequest req = new DepmodRequest(dirname, kversion, o.configs.isEmpty() ? DepmodConfig.DEFAULT_PATHS : o.configs,
                o.systemMap, o.symvers, o.printUnknown, o.warnDups, o.prefix, o.all ? List.of() : operands, o.show);
        return execute(req, dirname);
    }

    /** Applies the options to {@code o}; returns an exit status when the run ends here (-h, -V, a bad -P). */
    private Integer options(MiniGetopt g, Options o) {
        for (String[] opt : g.options) {
            String a = opt[1];
            switch (opt[0]) {
                case "a": o.all = true; break;
                case "A": o.quick = true; break;
                case "b":
                    o.root = a.startsWith("/") ? a : Path.of("").toAbsolutePath() + "/" + a;
                    break;
                case "C": o.configs.add(a); break;
                case "E": o.symvers = a; break;
                case "F": o.systemMap = a; break;
                case "e": o.printUnknown = true; break;
                case "v": verbose++; break;
                case "n": o.show = true; break;
                case "P":
                    if (a.length() != 1) {
                        log(2, "-P only takes a single char");
                        return 1;
                    }
                    o.prefix = a.charAt(0);
                    break;
                case "w": o.warnDups = true; break;
                case "q":
                case "u":
                case "r":
                case "m":
                    log(LOG_WARNING, "Ignored deprecated option " + (opt.length > 2 ? "--" + opt[2] : "-" + opt[0]));
                    break;
                case "h": help(); return 0;
                case "V": out.println("depmod (modutils-java) kmod 30 compatible"); return 0;
                default: break;
            }
        }
        return null;
    }

    /**
     * modutils 2.4's depmod runs for objects named on the command line or a 2.0-2.4 release
     * (the operand, else the running kernel's): the operands as both option sets see them.
     */
    private static boolean legacyWanted(String[] args) {
        MiniGetopt g;
        try {
            g = MiniGetopt.parse(SHORT + "s", LONG, args);
        } catch (MiniGetopt.UsageError e) {
            try {
                g = MiniGetopt.parse(LegacyDepmodTool.SHORT, LegacyDepmodTool.LONG, args);
            } catch (MiniGetopt.UsageError e2) {
                return false;
            }
        }
        return LegacyDepmodTool.wanted(g.operands, g.operands.isEmpty() ? RunningKernel.release() : null);
    }

    /** Computes, then prints (-n) or writes the files. */
    private int execute(DepmodRequest req, String dirname) {
        DepmodResult result;
        try {
            result = ModuleDeps.run(req, logger());
        } catch (DepmodException e) {
            if (e.getMessage() != null) log(e.fatal() ? LOG_CRIT : LOG_ERR, e.getMessage());
            return 1;
        }
        if (req.textOnly()) {
            for (byte[] b : result.files().values()) out.write(b, 0, b.length);
            out.flush();
            return 0;
        }
        return write(dirname, result.files());
    }

    private void logError(String text) {
        log(LOG_ERR, text);
    }

    /** Writes each file to a temporary name beside it, then renames it into place. */
    private int write(String dirname, Map<String, byte[]> files) {
        Path dir = Path.of(dirname);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path tmp = null;
            try {
                tmp = Files.createTempFile(dir, f.getKey() + ".", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
                Files.write(tmp, f.getValue());
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                try {
                    Files.move(tmp, dir.resolve(f.getKey()), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir.resolve(f.getKey()), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setLastModifiedTime(dir.resolve(f.getKey()), FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // the write already failed; that is what gets reported
                    }
                }
                log(LOG_ERR, "Could not write index '" + f.getKey() + "': " + DepmodLog.reason(e));
                return 1;
            }
        }
        return 0;
    }

    private DepmodLog logger() {
        return DepmodLog.of(this::log, text -> {
            if (verbose > LOG_WARNING) {
                out.println(text);
                out.flush();
            }
        });
    }

    private void log(int prio, String text) {
        if (prio > verbose) return;
        err.println("depmod: " + Syslog.levelName(prio) + ": " + text);
        err.flush();
    }

    private void help() {
        out.print("Usage:\n"
                + "\tdepmod -[aA] [options] [forced_version]\n"
                + "\n"
                + "If no arguments (except options) are given, \"depmod -a\" is assumed\n"
                + "\n"
                + "depmod will output a dependency list suitable for the modprobe utility.\n"
                + "\n"
                + "Options:\n"
                + "\t-a, --all            Probe all modules\n"
                + "\t-A, --quick          Only does the work if there's a new module\n"
                + "\t-e, --errsyms        Report not supplied symbols\n"
                + "\t-n, --show           Write the dependency file on stdout only\n"
                + "\t-P, --symbol-prefix  Architecture symbol prefix\n"
                + "\t-C, --config=PATH    Read configuration from PATH\n"
                + "\t-v, --verbose        Enable verbose mode\n"
                + "\t-w, --warn           Warn on duplicates\n"
                + "\t-V, --version        show version\n"
                + "\t-h, --help           show this help\n"
                + "\n"
                + "The following options are useful for people managing distributions:\n"
                + "\t-b, --basedir=DIR    Use an image of a module tree.\n"
                + "\t-F, --filesyms=FILE  Use the file instead of the\n"
                + "\t                     current kernel symbols.\n"
                + "\t-E, --symvers=FILE   Use Module.symvers file to check\n"
                + "\t                     symbol versions.\n");
        out.flush();
    }
}
