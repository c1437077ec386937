package org.modutils.insmod.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.config.ConfigShow;
import org.modutils.insmod.config.ModuleLocator;
import org.modutils.insmod.config.ModulesConf;
import org.modutils.insmod.deps.LegacyModDep;
import org.modutils.insmod.deps.LegacyProbe;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.report.UserError;
import org.modutils.insmod.sys.Getopt;

/**
 * modutils 2.4's modprobe for 2.1-2.4 kernels, here or on a --target board: reads modules.conf
 * (all of it) and modules.dep, then loads a stack ({@link LegacyProbe}), removes one (-r), runs
 * the autoclean pass (-r alone), lists modules (-l) or shows the configuration (-c). Each module
 * is loaded by our insmod (the {@link Inserter}, with the same --target), as the original ran
 * /sbin/insmod; configuration commands run in /bin/sh on this machine. Beyond the original,
 * {@code --basedir=BASE} reads a tree kept under BASE (as {@code depmod -b BASE} wrote it:
 * BASE/etc/modules.conf, BASE/lib/modules/RELEASE/modules.dep, and the modules at BASE plus the
 * paths modules.dep names), for a board whose modules this machine holds.
 */
public final class LegacyModprobe {
    /** Runs insmod with a command line whose first word is its name; its exit status. */
    @FunctionalInterface
    public interface Inserter {
        int insmod(List<String> argv);
    }

    static final String USAGE = "modprobe " + ToolEnv.VERSION + "\n"
            + "Load/Unload modules with dependencies\n\n"
            + "Load module(s):\n"
            + "  modprobe [-a -n -v ] [-C config ] [ -t type ] pattern OR module1 module2 ...\n"
            + "List modules:\n"
            + "  modprobe [-l ] [-C config ] [ -t type ] pattern\n"
            + "   note: wildcard patterns should be escaped\n"
            + "Show configuration:\n"
            + "  modprobe [-C config ] -c\n"
            + "Remove module(s) or autoclean:\n"
            + "  modprobe [-C config ] -r [ module ...]\n\n"
            + "options:\n"
            + "\t-a, --all                  Load _all_ matching modules\n"
            + "\t-c, --showconfig           Show current configuration\n"
            + "\t-d, --debug                Print debugging information\n"
            + "\t-h, --help                 Print this message\n"
            + "\t-k, --autoclean            Set 'autoclean' on loaded modules\n"
            + "\t-l, --list                 List matching modules\n"
            + "\t-n, --show                 Don't actually perform the action\n"
            + "\t-q, --quiet                Quiet operation\n"
            + "\t-r, --remove               Remove module (stacks) or do autoclean\n"
            + "\t-s, --syslog               Use syslog to report\n"
            + "\t-t, --type moduletype      Only look for modules of this type\n"
            + "\t-v, --verbose              Print all commands\n"
            + "\t-V, --version              Show version\n"
            + "\t-C, --config configfile    Use instead of /etc/modules.conf\n";

    /** The original's exit status for its -1 and for abort(). */
    static final int MINUS_ONE = 255, ABORTED = 134;

    private static final Options OPTIONS = options();

    /** The command line: the letters given, and the values of -t, -C, --target. */
    private static final class Opts {
        final java.util.Set<String> flags = new java.util.HashSet<>();
        String type, config, target;
        String base = "";
        List<String> operands;

        boolean has(String letter) {
            return flags.contains(letter);
        }

        boolean quiet() {
            return has("q") || has("k");
        }
    }

    private final ToolEnv env;
    private final Inserter inserter;
    private final ToolLog log;
    private final Opts o = new Opts();
    private Kernel kernel;
    private ModulesConf conf;

    private LegacyModprobe(ToolEnv env, Inserter inserter) {
        this.env = env;
        this.inserter = inserter;
        this.log = new ToolLog("modprobe", env.out(), env.err());
    }

    public static int run(String[] args, Inserter inserter) {
        return run(args, ToolEnv.standard(), inserter);
    }

    public static int run(String[] args, ToolEnv env, Inserter inserter) {
        LegacyModprobe m = new LegacyModprobe(env, inserter);
        try {
            return m.main(args);
        } catch (RuntimeException e) {
            java.util.Optional<String> loop = LegacyProbe.loopMessage(e);
            m.log.flush();
            env.err().print(loop.orElse("modprobe: internal error: " + e) + "\n");
            return loop.isPresent() ? ABORTED : 1;
        } finally {
            ToolEnv.close(m.kernel);
            m.log.flush();
        }
    }

    private static Options options() {
        Options t = ToolOptions.of("a:all", "c:showconfig", "d:debug", "h:help", "l:list", "n:show", "q:quiet",
                "r:remove", "v:verbose", "V:version", "k:autoclean", "s:syslog");
        t.addOption(Option.builder("t").longOpt("type").hasArg().build());
        t.addOption(Option.builder("C").longOpt("config").hasArg().build());
        t.addOption(Option.builder().longOpt("basedir").hasArg().build());
        return t;
    }

    private int main(String[] args) {
        Getopt g = ToolOptions.parse("modprobe", OPTIONS, args, env, USAGE);
        if (g == null) return MINUS_ONE;
        o.operands = g.operands;
        for (Getopt.Opt opt : g.options) {
            if (opt.key().equals("h")) {
                env.err().print(USAGE);
                return 0;
            }
            option(opt);
        }
        if (!openKernel()) return 1;
        conf = readConfig();
        if (conf.failed()) return MINUS_ONE;
        LegacyModDep dep;
        try {
            dep = LegacyModDep.read(Path.of(conf.generatedFile("dep")));
        } catch (UserError e) {
            e.reportTo(log);
            return MINUS_ONE;
        }
        noteOlderDepfile();
        return act(dep);
    }

    /** The loader and remover; its constructor asks the kernel for the loaded modules. */
    private LegacyProbe probe(LegacyModDep dep) {
        return new LegacyProbe(conf.modprobeRules(), dep, new Doer(),
                new LegacyProbe.Settings(!o.has("n"), o.quiet(), o.has("k"), o.has("s"), o.type, o.has("a"),
                        conf.insmodOpt().orElse(null), o.base));
    }

    private void option(Getopt.Opt opt) {
        switch (opt.key()) {
            case "t" -> o.type = opt.arg();
            case "C" -> o.config = opt.arg();
            case "target" -> o.target = opt.arg();
            case "basedir" -> o.base = opt.arg().replaceAll("/+$", "");
            case "s" -> log.toSyslog("modprobe");
            case "V" -> env.out().print("modprobe version " + ToolEnv.VERSION + "\n");
            default -> { } // -d: the original's debugging dump is not kept
        }
        o.flags.add(opt.key());
    }

    private boolean openKernel() {
        try {
            kernel();
            return true;
        } catch (KernelException e) {
            log.error(e.getMessage());
            return false;
        }
    }

    /** The kernel, connected again after an insmod had the target's agent (it serves one client at a time). */
    private Kernel kernel() throws KernelException {
        if (kernel == null) kernel = env.kernels().open(o.target);
        return kernel;
    }

    /** config_read(1, ...) for the kernel's release; -C before $MODULECONFIG. */
    private ModulesConf readConfig() {
        return ModulesConf.readForModprobe(ConfigContext.under(o.base, env.env(), o.config, kernel.release(), o.has("k")), log);
    }

    /** "Note: CONFIG is more recent than DEPFILE", as the original's read_depfile. */
    private void noteOlderDepfile() {
        if (conf.file().isEmpty()) return;
        try {
            Path dep = Path.of(conf.generatedFile("dep"));
            if (Files.getLastModifiedTime(conf.file().get()).toMillis() / 1000
                    > Files.getLastModifiedTime(dep).toMillis() / 1000) {
                log.info("Note: " + conf.file().get() + " is more recent than " + dep);
            }
        } catch (IOException | RuntimeException e) {
            log.error("Could not stat " + conf.generatedFile("dep"));
        }
    }

    /** -c, -r, -l or a load; only -r and a load use the kernel's module list. */
    private int act(LegacyModDep dep) {
        if (o.has("c")) {
            env.out().print(ConfigShow.text(conf, ToolEnv.VERSION));
            return 0;
        }
        if (o.has("r")) {
            LegacyProbe probe = probe(dep);
            if (o.operands.isEmpty()) return probe.autoclean();
            List<LegacyProbe.Failure> failed = probe.remove(o.operands);
            for (LegacyProbe.Failure f : failed) {
                if (!o.quiet()) log.perror(f.name(), Errno.text(f.errno()));
            }
            return failed.size();
        }
        if (o.has("l")) {
            ModuleLocator loc = new ModuleLocator(conf, true, log);
            for (String pattern : o.operands.isEmpty() ? List.of("*") : o.operands) {
                for (String p : loc.list(pattern, o.type)) env.out().print(p + "\n");
            }
            return 0;
        }
        if (o.operands.isEmpty()) {
            log.error("Nothing to load ???\nSpecify at least a module or a wildcard like \\*");
            return 0;
        }
        return probe(dep).load(o.operands) == 0 ? 0 : MINUS_ONE;
    }

    /** What LegacyProbe decides, done here: the kernel, the shell, insmod, the messages. */
    private final class Doer implements LegacyProbe.Host {
        @Override
        public List<String> loaded() {
            try {
                return kernel().moduleTable(ModuleQuery.NAMES).names();
            } catch (KernelException e) {
                log.error(e.getMessage());
                return List.of();
            }
        }

        @Override
        public List<LegacyProbe.Module> modules() {
            try {
                List<LegacyProbe.Module> mods = new ArrayList<>();
                for (ModuleStatus m : kernel().moduleTable(ModuleQuery.STATUS).modules()) {
                    mods.add(new LegacyProbe.Module(m.name(), m.has(ModuleStatus.AUTOCLEAN), m.has(ModuleStatus.VISITED),
                            m.has(ModuleStatus.USED_ONCE), !m.users().isEmpty() || m.useCount() != 0));
                }
                return mods;
            } catch (KernelException e) {
                log.error(e.getMessage());
                return null;
            }
        }

        @Override
        public int system(String command) {
            log.flush();
            try {
                Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
                // Both pipes at once: a command that fills one while we wait on the other would stall.
                Thread errors = new Thread(() -> copy(p.getErrorStream(), env.err()), "modprobe-command-stderr");
                errors.start();
                copy(p.getInputStream(), env.out());
                errors.join();
                return p.waitFor();
            } catch (IOException e) {
                return 127;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }

        /** Passes a command's output on as it comes. */
        private void copy(InputStream in, java.io.PrintStream to) {
            byte[] b = new byte[8192];
            try (in) {
                for (int n; (n = in.read(b)) > 0; ) {
                    to.write(b, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the command's pipe closed early: nothing more to pass on
            }
        }

        @Override
        public int insmod(List<String> argv) {
            log.flush();
            List<String> a = new ArrayList<>(argv);
            if (o.target != null) {
                a.add(1, "--target=" + o.target);
                ToolEnv.close(kernel);
                kernel = null;
            }
            return inserter.insmod(a);
        }

        @Override
        public int delete(String name) {
            try {
                kernel().deleteModule(name);
                return 0;
            } catch (KernelException e) {
                return e.errno() != 0 ? e.errno() : Errno.EIO;
            }
        }

        @Override
        public List<String> locate(String match, String type) {
            return new ModuleLocator(conf, true, log).list(match, type);
        }

        @Override
        public void verbose(String text) {
            if (o.has("v")) env.out().print(text);
        }

        @Override
        public Report report() {
            return log;
        }

        @Override
        public void perror(String what, int errno) {
            log.perror(what, Errno.text(errno));
        }
    }
}
