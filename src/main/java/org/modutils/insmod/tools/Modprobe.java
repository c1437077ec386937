package org.modutils.insmod.tools;

import static org.modutils.insmod.sys.Syslog.LOG_CRIT;
import static org.modutils.insmod.sys.Syslog.LOG_ERR;
import static org.modutils.insmod.sys.Syslog.LOG_WARNING;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Clock;

import org.modutils.insmod.deps.DepmodLog;
import org.modutils.insmod.deps.ModprobeConfig;
import org.modutils.insmod.deps.ModprobeTarget;
import org.modutils.insmod.deps.ModuleDb;
import org.modutils.insmod.deps.ModuleState;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.sys.Syslog;

/**
 * modprobe for 2.6+ kernels, as kmod 30's: looks the name up, loads what it needs first
 * (through our modern insmod path), or removes a module and what it left unused. -n/-v/-D
 * print kmod's lines ("insmod PATH OPTIONS", "rmmod NAME", "builtin NAME", "install CMD").
 */
public final class Modprobe {
    private static final String SHORT = "arw:RibfDcnC:d:S:sqvVh";
    private static final String[][] LONG = {
        {"all", "a"}, {"remove", "r"}, {"remove-dependencies", "5"}, {"remove-holders", "5"}, {"wait", "w:"},
        {"resolve-alias", "R"}, {"first-time", "3"}, {"ignore-install", "i"},
        {"ignore-remove", "i"}, {"use-blacklist", "b"}, {"force", "f"}, {"force-modversion", "2"},
        {"force-vermagic", "1"}, {"show-depends", "D"}, {"showconfig", "c"}, {"show-config", "c"},
        {"show-modversions", "4"}, {"dump-modversions", "4"}, {"show-exports", "6"},
        {"dry-run", "n"}, {"show", "n"}, {"config", "C:"},
        {"dirname", "d:"}, {"set-version", "S:"}, {"syslog", "s"}, {"quiet", "q"}, {"verbose", "v"},
        {"version", "V"}, {"help", "h"},
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
        boolean showConfig;
        boolean showModversions;
        boolean showExports;
        boolean removeHolders;
        long waitMsec;
        boolean syslog;
        int verbose = LOG_WARNING;
        String root;
        String kversion;
        List<String> configs = new ArrayList<>();
    }

    private final Map<String, String> env;
    private final String syslogSocket;
    private Syslog syslog;
    /** MODPROBE_OPTIONS as kmod passes it on to install and remove commands (-C, -s, -q, -v appended). */
    private String passedOptions;

    private Modprobe(PrintStream out, PrintStream err, Map<String, String> env, String syslogSocket) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.syslogSocket = syslogSocket;
    }

    public static int run(String[] args) {
        return run(args, System.getenv(), Syslog.DEFAULT_SOCKET, System.out, System.err);
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
        return run(args, System.getenv(), Syslog.DEFAULT_SOCKET, out, err);
    }

    /** With the environment ({@code MODPROBE_OPTIONS}) and the syslog socket (-s) given. */
    public static int run(String[] args, Map<String, String> env, String syslogSocket, PrintStream out, PrintStream err) {
        return new Modprobe(out, err, env, syslogSocket).main(args);
    }

    private int main(String[] given) {
        passedOptions = env.get("MODPROBE_OPTIONS");
        String[] args = ModprobeQuery.prependOptions(passedOptions, given);
        MiniGetopt g;
        try {
            g = MiniGetopt.parse(SHORT, LONG, args);
        } catch (MiniGetopt.UsageError e) {
            err.println("modprobe: " + e.getMessage());
            return 1;
        }
        Integer early = options(g);
        if (early != null) return early;
        if (o.syslog) {
            syslog = Syslog.open("modprobe", Syslog.LOG_DAEMON, syslogSocket, Clock.systemDefaultZone(),
                    Syslog.DEFAULT_CONSOLE);
        }
        try {
            return execute(g.operands);
        } finally {
            if (syslog != null) syslog.close();
        }
    }

    private int execute(List<String> ops) {
        if (!o.showConfig && ops.isEmpty()) {
            emit(LOG_ERR, "missing parameters. See -h.");
            return 1;
        }
        String kver = o.kversion != null ? o.kversion : RunningKernel.release();
        String dir = (o.root == null ? "" : o.root) + "/lib/modules/" + kver;
        ModprobeConfig cfg = ModprobeConfig.load(o.configs.isEmpty() ? ModprobeConfig.DEFAULT_PATHS : o.configs, dir,
                readCmdline(), this::libkmod);
        if (o.showConfig) return ModprobeQuery.showConfig(cfg, dir, out);
        if (o.showModversions || o.showExports) {
            String failure = ModprobeQuery.showVersions(ops.get(0), o.showExports, out);
            if (failure != null) fatal(failure);
            return failure == null ? 0 : 1;
        }
        ModuleDb db;
        try {
            db = ModuleDb.read(dir);
        } catch (IOException e) {
            fatal("could not open moddep file '" + dir + "/modules.dep.bin'");
            return 1;
        }
        this.mp = new org.modutils.insmod.deps.Modprobe(db, cfg, new ModuleState(Path.of("/sys/module")));
        this.dir = dir;
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
            fatal("Module " + name + " not found in directory " + dir);
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
                log(LOG_ERR, "could not insert '" + m.name() + "': " + failure);
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
            if (passedOptions != null) pb.environment().put("MODPROBE_OPTIONS", passedOptions);
            int st = pb.start().waitFor();
            if (st != 0) {
                log(LOG_ERR, "Error running " + type + " command '" + cmd + "' for module " + module + ": retcode " + st);
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
                fatal("Module " + n + " not found.");
                status = 1;
                continue;
            }
            for (ModprobeTarget m : list) {
                if (removeModule(m, false, o.removeHolders) < 0) {
                    status = 1;
                    break;
                }
            }
        }
        out.flush();
        return status;
    }

    /**
     * rmmod_do_module: post-softdeps, with --remove-holders the modules holding it, the module, then
     * its pre-softdeps; negative on failure.
     */
    private int removeModule(ModprobeTarget mod, boolean ignoreBuiltin, boolean holders) {
        String cmd = o.ignoreCommands ? null : mp.removeCommand(mod.name());
        List<List<ModprobeTarget>> sd = o.ignoreCommands ? List.of(List.of(), List.of()) : mp.softdeps(mod.name());
        if (cmd == null && !o.ignoreLoaded) {
            ModuleState.State st = mp.state().initstate(mod.name());
            if (st == ModuleState.State.ABSENT) {
                if (!o.firstTime) return 0;
                fatal("Module " + mod.name() + " is not in kernel.");
                return -1;
            }
            if (st == ModuleState.State.BUILTIN) {
                if (ignoreBuiltin) return 0;
                fatal("Module " + mod.name() + " is builtin.");
                return -1;
            }
        }
        removeList(sd.get(1));
        if (holders) {
            List<String> hs = mp.state().holders(mod.name());
            for (int i = hs.size() - 1; i >= 0; i--) {
                int r = removeModule(mp.named(hs.get(i)), true, false);
                if (r < 0) return r;
            }
        }
        if (cmd == null && !o.ignoreLoaded && o.waitMsec == 0 && mp.state().refcnt(mod.name()) > 0) {
            fatal("Module " + mod.name() + " is in use.");
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
        for (int i = list.size() - 1; i >= 0; i--) removeModule(list.get(i), true, false);
    }

    /** rmmod_do_remove_module: the module, then the dependencies nothing uses any more. */
    private int removeOne(ModprobeTarget m) {
        if (o.verbose > 4) out.println("rmmod " + m.name());
        if (o.dryRun) return 0;
        int r = 0;
        int errno = deleteWaiting(m.name());
        if (errno != 0 && (errno != org.modutils.insmod.kernel.Errno.ENOENT || o.firstTime)) {
            // Without -w kmod leaves the message to libkmod, which Debian builds with its source place.
            String why = "could not remove '" + m.name() + "': " + org.modutils.insmod.kernel.Errno.text(errno);
            log(LOG_ERR, o.waitMsec == 0 ? "../libkmod/libkmod-module.c:856 kmod_module_remove_module() " + why : why);
            r = -1;
        }
        for (ModprobeTarget d : mp.dependencies(m)) {
            if (mp.state().refcnt(d.name()) == 0) removeOne(d);
        }
        return r;
    }

    /**
     * delete_module, and with -w MSEC again while the kernel answers EAGAIN (the module in use),
     * backing off 1, 2, 4... ms until MSEC have passed, as kmod does; the errno, 0 on success.
     */
    private int deleteWaiting(String name) {
        long deadline = System.nanoTime() / 1_000_000 + o.waitMsec;
        long interval = 1;
        while (true) {
            try {
                kernel().deleteModule(name);
                return 0;
            } catch (KernelException e) {
                long now = System.nanoTime() / 1_000_000;
                if (e.errno() != org.modutils.insmod.kernel.Errno.EAGAIN || o.waitMsec == 0 || now >= deadline) return e.errno();
                long sleep = Math.min(interval, deadline - now);
                interval <<= 1;
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return e.errno();
                }
            }
        }
    }

    /** Applies the options; returns an exit status when the run ends here (-h, -V). */
    private Integer options(MiniGetopt g) {
        for (String[] opt : g.options) {
            switch (opt[0]) {
                case "a": o.all = true; break;
                case "r": o.remove = true; break;
                case "5": o.removeHolders = true; break;
                case "w":
                    Long w = ModprobeQuery.strtoul(opt[1]);
                    if (w == null) {
                        emit(LOG_ERR, "unexpected wait value '" + opt[1] + "'.");
                        return 1;
                    }
                    o.waitMsec = w;
                    break;
                case "R": o.lookupOnly = true; break;
                case "3": o.firstTime = true; break;
                case "i": o.ignoreCommands = true; break;
                case "b": o.useBlacklist = true; break;
                case "f": o.force = true; break;
                case "D": o.ignoreLoaded = true; o.dryRun = true; o.show = true; break;
                case "c": o.showConfig = true; break;
                case "4": o.showModversions = true; break;
                case "6": o.showExports = true; break;
                case "n": o.dryRun = true; break;
                case "C": o.configs.add(opt[1]); passOn("-C"); passOn(opt[1]); break;
                case "d": o.root = opt[1]; break;
                case "S": o.kversion = opt[1]; break;
                case "s": o.syslog = true; passOn("-s"); break;
                case "q": o.verbose = 0; passOn("-q"); break;
                case "v": o.verbose++; passOn("-v"); break;
                case "V": out.println("modprobe (modutils-java) kmod 30 compatible"); return 0;
                case "h": ModprobeQuery.help(out); return 0;
                default: break;
            }
        }
        return null;
    }

    /** kmod's env_modprobe_options_append. */
    private void passOn(String word) {
        passedOptions = passedOptions == null ? word : passedOptions + " " + word;
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

    /** kmod's LOG(): at LOG_CRIT ("FATAL"), or LOG_WARNING under -a. */
    void fatal(String text) {
        log(o.all ? LOG_WARNING : LOG_CRIT, text);
    }

    /** kmod's log_printf once the verbosity is set: shown when {@code prio} is within it. */
    void log(int prio, String text) {
        if (prio <= o.verbose) emit(prio, text);
    }

    /** "modprobe: LEVEL: text" on stderr, or "LEVEL: text" to syslog with -s. */
    void emit(int prio, String text) {
        String line = Syslog.levelName(prio) + ": " + text;
        if (syslog != null) {
            syslog.log(prio, line + "\n");
        } else {
            err.println("modprobe: " + line);
            err.flush();
        }
    }

    /** libkmod's own stderr logging, which kmod 30's modprobe leaves on while it reads the configuration. */
    private void libkmod(ModprobeConfig.Problem kind, String text) {
        String where;
        switch (kind) {
            case DEPRECATED: where = "libkmod-config.c:708 kmod_config_parse"; break;
            case DIRECTORY: where = "libkmod-config.c:772 conf_files_filter_out"; break;
            case BAD_KCMDLINE: where = "libkmod-config.c:489 kcmdline_parse_result"; break;
            default: where = "libkmod-config.c:712 kmod_config_parse"; break;
        }
        err.println("libkmod: ERROR ../libkmod/" + where + ": " + text);
        err.flush();
    }

    /** What ModernInsmod says, as modprobe's. */
    Report messages() {
        return Report.of(this::message, text -> {
            out.println(text);
            out.flush();
        }, this::message);
    }

    /** An error or warning of ModernInsmod: each line at LOG_ERR, as modprobe's. */
    private void message(String text) {
        if (o.verbose < LOG_ERR) return;
        for (String line : text.split("\n", -1)) {
            if (syslog != null) syslog.log(LOG_ERR, line + "\n");
            else err.println("modprobe: " + line);
        }
        err.flush();
    }

    Kernel kernel() {
        if (kernel == null) kernel = new LinuxKernel();
        return kernel;
    }
}
