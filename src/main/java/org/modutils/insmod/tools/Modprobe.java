package org.modutils.insmod.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.deps.DepmodLog;
import org.modutils.insmod.deps.ModprobeConfig;
import org.modutils.insmod.deps.ModprobeTarget;
import org.modutils.insmod.deps.ModuleDb;
import org.modutils.insmod.deps.ModuleState;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.modern.Messages;

/**
 * modprobe for 2.6+ kernels, as kmod 30's: looks the name up, loads what it needs first
 * (through our modern insmod path), or removes a module and what it left unused. -n/-v/-D
 * print kmod's lines ("insmod PATH OPTIONS", "rmmod NAME", "builtin NAME", "install CMD").
 */
public final class Modprobe {
    private static final String SHORT = "arRibfDcnC:d:S:sqvVhw:";
    private static final String[][] LONG = {
        {"all", "a"}, {"remove", "r"}, {"resolve-alias", "R"}, {"first-time", "3"}, {"ignore-install", "i"},
        {"ignore-remove", "i"}, {"use-blacklist", "b"}, {"force", "f"}, {"force-modversion", "2"},
        {"force-vermagic", "1"}, {"show-depends", "D"}, {"dry-run", "n"}, {"show", "n"}, {"config", "C:"},
        {"dirname", "d:"}, {"set-version", "S:"}, {"syslog", "s"}, {"quiet", "q"}, {"verbose", "v"},
        {"version", "V"}, {"help", "h"}, {"wait", "w:"},
    };

    final PrintStream out;
    final PrintStream err;
    final Options o = new Options();
    private org.modutils.insmod.deps.Modprobe mp;
    private String dir;
    private Kernel kernel;

    /** The parsed command line. */
    static final class Options {
        boolean all;
        boolean remove;
        boolean lookupOnly;
        boolean firstTime;
        boolean ignoreCommands;
        boolean useBlacklist;
        boolean force;
        boolean dryRun;
        boolean show;
        boolean ignoreLoaded;
        boolean quiet;
        int verbose = 4;
        String root;
        String kversion;
        List<String> configs = new ArrayList<>();
    }

    private Modprobe(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static int run(String[] args) {
        return new Modprobe(System.out, System.err).main(args);
    }

    /**
     * bin/modprobe: modutils 2.4's modprobe ({@link LegacyModprobe}, loading through
     * {@code insmod24}) for a --target board or a running 2.1-2.4 kernel, this one otherwise.
     */
    public static int run(String[] args, LegacyModprobe.Inserter insmod24) {
        if (RunningKernel.remoteTarget(args) || RunningKernel.legacyKernel()) return LegacyModprobe.run(args, insmod24);
        return run(args);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Modprobe(out, err).main(args);
    }

    private int main(String[] args) {
        MiniGetopt g;
        try {
            g = MiniGetopt.parse(SHORT, LONG, args);
        } catch (MiniGetopt.UsageError e) {
            err.println("modprobe: " + e.getMessage());
            return 1;
        }
        Integer early = options(g);
        if (early != null) return early;
        if (g.operands.isEmpty()) {
            log("ERROR", "missing parameters. See -h.");
            return 1;
        }
        String kver = o.kversion != null ? o.kversion : Depmod.unameRelease();
        String dir = (o.root == null ? "" : o.root) + "/lib/modules/" + kver;
        ModuleDb db;
        try {
            db = ModuleDb.read(dir);
        } catch (IOException e) {
            log("FATAL", "could not open moddep file '" + dir + "/modules.dep.bin'");
            return 1;
        }
        String cmdline = readCmdline();
        ModprobeConfig cfg = ModprobeConfig.load(o.configs.isEmpty() ? ModprobeConfig.DEFAULT_PATHS : o.configs, dir,
                cmdline, libkmodLogger());
        org.modutils.insmod.deps.Modprobe mp = new org.modutils.insmod.deps.Modprobe(db, cfg,
                new ModuleState(Path.of("/sys/module")));
        this.mp = mp;
        this.dir = dir;
        List<String> ops = g.operands;
        if (o.remove) return removeAll(ops);
        if (o.all) return insertAll(ops);
        return insert(ops.get(0), optionsFromArgs(ops)) < 0 ? 1 : 0;
    }

    private int insertAll(List<String> names) {
        int status = 0;
        for (String n : names) if (insert(n, null) < 0) status = 1;
        return status;
    }

    /** modprobe's insmod(): every module the name stands for; negative on failure. */
    private int insert(String name, String extra) {
        List<ModprobeTarget> list = mp.lookup(name);
        if (list.isEmpty()) {
            log("FATAL", "Module " + name + " not found in directory " + dir);
            return -1;
        }
        int result = 0;
        for (ModprobeTarget m : list) {
            if (o.lookupOnly) {
                out.println(m.name());
                continue;
            }
            String failure = probeInsert(m, extra);
            if (failure != null) {
                log("ERROR", "could not insert '" + m.name() + "': " + failure);
                result = -1;
            }
        }
        out.flush();
        return result;
    }

    /** kmod_module_probe_insert_module: null on success (or nothing to do), else the reason. */
    private String probeInsert(ModprobeTarget mod, String extra) {
        if (mod.viaAlias() && mp.blacklisted(mod)) return null;
        if (o.useBlacklist && mp.blacklisted(mod)) return null;
        if (!o.ignoreLoaded && mp.state().inKernel(mod.name())) return o.firstTime ? "Module already in kernel" : null;
        boolean showing = o.show || o.verbose > 4;
        for (org.modutils.insmod.deps.Modprobe.Step s : mp.probeList(mod, extra, o.ignoreCommands)) {
            ModprobeTarget m = s.module();
            if (!o.ignoreLoaded && mp.state().inKernel(m.name())) {
                if (m.name().equals(mod.name()) && o.firstTime) return "Module already in kernel";
                continue;
            }
            String opts = s.options() == null ? "" : s.options();
            String err;
            if (s.installCommand() != null) {
                if (showing) out.println("install " + s.installCommand() + " " + opts);
                err = o.dryRun ? null : command(m.name(), "install", s.installCommand(), opts);
            } else {
                if (showing && m.path() != null) out.println("insmod " + m.path() + " " + opts);
                else if (showing && m.builtin()) out.println("builtin " + m.name());
                err = o.dryRun ? null : load(m, opts);
            }
            if (err != null && s.required()) return err;
        }
        return null;
    }

    private String load(ModprobeTarget m, String opts) {
        if (m.path() == null) {
            return m.builtin() ? null : "Unknown symbol in module, or unknown parameter (see dmesg)";
        }
        out.flush();
        List<String> params = splitParams(opts);
        org.modutils.insmod.modern.ModernRequest req = new org.modutils.insmod.modern.ModernRequest(m.path(), params,
                o.force, false, List.of(), org.modutils.insmod.modern.ModernRequest.Syscall.AUTO, kernel(), System.in);
        int st = org.modutils.insmod.modern.ModernInsmod.run(req, messages());
        return st == 0 ? null : "see the lines above";
    }

    /** Splits an options string at blanks outside double quotes (the quotes are kept). */
    static List<String> splitParams(String opts) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : opts.toCharArray()) {
            if (c == '"') quoted = !quoted;
            if (!quoted && (c == ' ' || c == '\t' || c == '\n')) {
                if (cur.length() > 0) out.add(cur.toString().replace("\"", ""));
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) out.add(cur.toString().replace("\"", ""));
        return out;
    }

    /** Runs an install or remove command with /bin/sh, as kmod does; null on success. */
    private String command(String module, String type, String cmd, String opts) {
        out.flush();
        String line = cmd.replace("$CMDLINE_OPTS", opts == null ? "" : opts);
        try {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", line).inheritIO();
            pb.environment().put("MODPROBE_MODULE", module);
            int st = pb.start().waitFor();
            if (st != 0) {
                log("ERROR", "Error running " + type + " command '" + cmd + "' for module " + module + ": retcode " + st);
                return "Operation not permitted";
            }
            return null;
        } catch (IOException e) {
            return DepmodLog.reason(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Interrupted system call";
        }
    }

    private int removeAll(List<String> names) {
        int status = 0;
        for (String n : names) {
            List<ModprobeTarget> list = mp.lookup(n);
            if (list.isEmpty()) {
                log("FATAL", "Module " + n + " not found.");
                status = 1;
                continue;
            }
            for (ModprobeTarget m : list) {
                if (removeModule(m, false) < 0) {
                    status = 1;
                    break;
                }
            }
        }
        out.flush();
        return status;
    }

    /** rmmod_do_module: post-softdeps, the module, then its pre-softdeps; negative on failure. */
    private int removeModule(ModprobeTarget mod, boolean ignoreBuiltin) {
        String cmd = o.ignoreCommands ? null : mp.removeCommand(mod.name());
        List<List<ModprobeTarget>> sd = o.ignoreCommands ? List.of(List.of(), List.of()) : mp.softdeps(mod.name());
        if (cmd == null && !o.ignoreLoaded) {
            ModuleState.State st = mp.state().initstate(mod.name());
            if (st == ModuleState.State.ABSENT) {
                if (!o.firstTime) return 0;
                log("FATAL", "Module " + mod.name() + " is not in kernel.");
                return -1;
            }
            if (st == ModuleState.State.BUILTIN) {
                if (ignoreBuiltin) return 0;
                log("FATAL", "Module " + mod.name() + " is builtin.");
                return -1;
            }
        }
        removeList(sd.get(1));
        if (cmd == null && !o.ignoreLoaded && mp.state().refcnt(mod.name()) > 0) {
            log("FATAL", "Module " + mod.name() + " is in use.");
            return -1;
        }
        int r;
        if (cmd == null) {
            r = removeOne(mod);
        } else {
            if (o.show || o.verbose > 4) out.println("remove " + cmd);
            r = o.dryRun || command(mod.name(), "remove", cmd, "") == null ? 0 : -1;
        }
        if (r < 0) return r;
        removeList(sd.get(0));
        return 0;
    }

    private void removeList(List<ModprobeTarget> list) {
        for (int i = list.size() - 1; i >= 0; i--) removeModule(list.get(i), true);
    }

    /** rmmod_do_remove_module: the module, then the dependencies nothing uses any more. */
    private int removeOne(ModprobeTarget m) {
        if (o.verbose > 4) out.println("rmmod " + m.name());
        if (o.dryRun) return 0;
        int r = 0;
        try {
            kernel().deleteModule(m.name());
        } catch (KernelException e) {
            String why = org.modutils.insmod.kernel.Errno.text(e.errno());
            if (e.errno() != org.modutils.insmod.kernel.Errno.ENOENT || o.firstTime) {
                log("ERROR", "could not remove '" + m.name() + "': " + why);
                r = -1;
            }
        }
        for (ModprobeTarget d : mp.dependencies(m)) {
            if (mp.state().refcnt(d.name()) == 0) removeOne(d);
        }
        return r;
    }

    /** Applies the options; returns an exit status when the run ends here (-h, -V). */
    private Integer options(MiniGetopt g) {
        for (String[] opt : g.options) {
            switch (opt[0]) {
                case "a": o.all = true; break;
                case "r": o.remove = true; break;
                case "R": o.lookupOnly = true; break;
                case "3": o.firstTime = true; break;
                case "i": o.ignoreCommands = true; break;
                case "b": o.useBlacklist = true; break;
                case "f": o.force = true; break;
                case "D": o.ignoreLoaded = true; o.dryRun = true; o.show = true; break;
                case "n": o.dryRun = true; break;
                case "C": o.configs.add(opt[1]); break;
                case "d": o.root = opt[1]; break;
                case "S": o.kversion = opt[1]; break;
                case "q": o.quiet = true; break;
                case "v": o.verbose++; break;
                case "V": out.println("modprobe (modutils-java) kmod 30 compatible"); return 0;
                case "h": help(); return 0;
                default: break;
            }
        }
        return null;
    }

    /** kmod's options_from_array: the words after the module name, a value with spaces quoted. */
    static String optionsFromArgs(List<String> ops) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < ops.size(); i++) {
            String a = ops.get(i);
            if (sb.length() > 0) sb.append(' ');
            int eq = a.indexOf('=');
            String v = eq < 0 ? null : a.substring(eq + 1);
            if (v != null && !v.startsWith("\"") && !v.startsWith("'") && v.contains(" ")) {
                sb.append(a, 0, eq + 1).append('"').append(v).append('"');
            } else {
                sb.append(a);
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String readCmdline() {
        try {
            return Files.readString(Path.of("/proc/cmdline"));
        } catch (IOException e) {
            return null;
        }
    }

    void log(String level, String text) {
        if (o.quiet) return;
        err.println("modprobe: " + level + ": " + text);
        err.flush();
    }

    DepmodLog logger() {
        return new DepmodLog() {
            @Override
            public void error(String text) {
                log("ERROR", text);
            }

            @Override
            public void warning(String text) {
                log("WARNING", text);
            }

            @Override
            public void info(String text) {
                if (o.verbose > 5) log("INFO", text);
            }

            @Override
            public void show(String text) {
                out.println(text);
            }
        };
    }

    /** libkmod's own stderr logging, which kmod 30's modprobe leaves on for configuration errors. */
    DepmodLog libkmodLogger() {
        return new DepmodLog() {
            @Override
            public void error(String text) {
                err.println("libkmod: ERROR ../libkmod/libkmod-config.c:712 kmod_config_parse: " + text);
                err.flush();
            }

            @Override
            public void warning(String text) {
                error(text);
            }

            @Override
            public void info(String text) {}

            @Override
            public void show(String text) {}
        };
    }

    /** What ModernInsmod says, as modprobe's. */
    Messages messages() {
        return new Messages() {
            @Override
            public void error(String text) {
                if (o.quiet) return;
                for (String line : text.split("\n", -1)) err.println("modprobe: " + line);
                err.flush();
            }

            @Override
            public void info(String text) {
                out.println(text);
                out.flush();
            }
        };
    }

    Kernel kernel() {
        if (kernel == null) kernel = new LinuxKernel();
        return kernel;
    }

    private void help() {
        out.print("Usage:\n"
                + "\tmodprobe [options] [-i] [-b] modulename\n"
                + "\tmodprobe [options] -a [-i] [-b] modulename [modulename...]\n"
                + "\tmodprobe [options] -r [-i] modulename\n"
                + "\tmodprobe [options] -r -a [-i] modulename [modulename...]\n"
                + "\tmodprobe [options] -D modulename\n"
                + "\n"
                + "Management Options:\n"
                + "\t-a, --all                   Consider every non-argument to\n"
                + "\t                            be a module name to be inserted\n"
                + "\t                            or removed (-r)\n"
                + "\t-r, --remove                Remove modules instead of inserting\n"
                + "\t-R, --resolve-alias         Only lookup and print alias and exit\n"
                + "\t    --first-time            Fail if module already inserted or removed\n"
                + "\t-i, --ignore-install        Ignore install commands\n"
                + "\t-i, --ignore-remove         Ignore remove commands\n"
                + "\t-b, --use-blacklist         Apply blacklist to resolved alias.\n"
                + "\t-f, --force                 Force module insertion or removal.\n"
                + "\t                            implies --force-modversions and\n"
                + "\t                            --force-vermagic\n"
                + "\n"
                + "Query Options:\n"
                + "\t-D, --show-depends          Only print module dependencies and exit\n"
                + "\n"
                + "General Options:\n"
                + "\t-n, --dry-run               Do not execute operations, just print out\n"
                + "\t-n, --show                  Same as --dry-run\n"
                + "\t-C, --config=FILE           Use FILE instead of default search paths\n"
                + "\t-d, --dirname=DIR           Use DIR as filesystem root for /lib/modules\n"
                + "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
                + "\t-q, --quiet                 disable messages\n"
                + "\t-v, --verbose               enables more messages\n"
                + "\t-V, --version               show version\n"
                + "\t-h, --help                  show this help\n");
        out.flush();
    }
}
