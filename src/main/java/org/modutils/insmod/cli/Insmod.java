package org.modutils.insmod.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.config.ModuleLocator;
import org.modutils.insmod.config.ModulesConf;
import org.modutils.insmod.elf.ElfSource;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.module.ImageLimit;
import org.modutils.insmod.module.LoadRequest;
import org.modutils.insmod.module.ObjectFiles;
import org.modutils.insmod.modern.ModernInsmod;
import org.modutils.insmod.modern.ModernRequest;
import org.modutils.insmod.sys.FileBytes;
import org.modutils.insmod.sys.FileNames;
import org.modutils.insmod.sys.Flock;
import org.modutils.insmod.sys.Getopt;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.tools.KsymoopsSnapshot;
import org.modutils.insmod.tools.ToolLog;

/**
 * The insmod command: options, locating and reading the module, choosing the kernel, then the
 * 2.4 linker ({@link Load24}) or the kernel's own loader ({@link ModernInsmod}).
 */
public final class Insmod {
    public static final String VERSION = "2.4.16";

    /**
     * What a run is given besides its arguments: its streams and environment, the running kernel
     * (a {@link LinuxKernel} for the command), and who hears of an internal error (always a bug).
     */
    public record Host(PrintStream out, PrintStream err, Map<String, String> env, Supplier<Kernel> runningKernel,
                       Consumer<Throwable> internalError) {
        public Host(PrintStream out, PrintStream err, Map<String, String> env) {
            this(out, err, env, LinuxKernel::new, t -> { });
        }
    }

    private final Host host;
    private final ToolLog log;
    private final boolean interactive;
    private InsmodOptions s;
    private String release;
    private ModulesConf conf;
    /** The module as typed (or found): every message shows this name; the Path only opens it. */
    private String filename;
    /** -O, or null. */
    private Path blob;

    private Insmod(Host host, ToolLog log, boolean interactive) {
        this.host = host;
        this.log = log;
        this.interactive = interactive;
    }

    /** Runs insmod with the process's standard streams. */
    public static int run(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
        try {
            return run(args, new Host(out, err, System.getenv()), true, OptionTable.stderrIsTerminal());
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static int run(String[] argv, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(argv, new Host(out, err, env), false, false);
    }

    public static int run(String[] argv, Host host) {
        return run(argv, host, false, false);
    }

    /**
     * {@code latin1Out}: {@code out} encodes ISO-8859-1 (the process's own streams).
     * {@code interactive}: stderr is a terminal (see {@link InsmodOptions}).
     */
    static int run(String[] argv, Host host, boolean latin1Out, boolean interactive) {
        ToolLog log = new ToolLog("insmod", host.out(), host.err(), latin1Out);
        try {
            return new Insmod(host, log, interactive).main(argv);
        } catch (RuntimeException | Error e) {
            // Never a stack trace: one line naming what went wrong.
            host.internalError().accept(e);
            log.error("internal error: " + e);
            return 1;
        } finally {
            log.flush();
        }
    }

    private int main(String[] argv) {
        try {
            s = InsmodOptions.parse(argv, host.out(), host.err(), log, interactive,
                    host.env().containsKey("POSIXLY_CORRECT"));
        } catch (InsmodOptions.Exit e) {
            return e.status;
        }
        filename = s.operands.get(0);
        List<String> params = s.operands.subList(1, s.operands.size());
        long imageLimit;
        try {
            imageLimit = ImageLimit.from(host.env());
        } catch (ImageLimit.BadSetting e) {
            log.error(e.getMessage());
            return 1;
        }
        configure();
        if (filename.equals("-")) {
            return standardInput(params);
        }
        Path path = locate();
        if (path == null) {
            return 1;
        }
        Integer mapped = ModMapTool.runIfModern(filename, path, s.sections, s.noload, s.map, s.blob, s.release,
                s.ksyms, log);
        if (mapped != null) {
            return mapped; // a 2.6+ module's load map (issue 20)
        }
        if (dryRunWanted(filename)) {
            return dryRun(filename, params);
        }
        ElfSource data = open(path, imageLimit);
        if (data == null) {
            return 1;
        }
        try {
            return withObject(path, data, params, imageLimit);
        } finally {
            try {
                data.close();
            } catch (IOException ignored) {
                // a read-only file: nothing to lose
            }
        }
    }

    /** -s, the kernel release, modules.conf, and -e "" without a persistdir. */
    private void configure() {
        if (s.syslog) {
            log.toSyslog("insmod");
        }
        release = s.release != null ? s.release : procString("/proc/sys/kernel/osrelease");
        conf = ModulesConf.read(ConfigContext.of(Path.of("/"), host.env(), release, s.autoclean), log);
        if ("".equals(s.persist) && (conf.persistDir() == null || conf.persistDir().isEmpty())) {
            // As the original, right after reading the configuration (before "Using ...").
            s.persist = null;
            if (s.verbose) {
                log.info("insmod: -e \"\" ignored, no persistdir");
            }
        }
    }

    /** A module on standard input: only the 2.6+ path takes one (the kernel links it). */
    private int standardInput(List<String> params) {
        if (dryRunWanted("-")) {
            return dryRun("-", params);
        }
        if (s.noload || s.probe) {
            log.error("-: a module on standard input is handed to a 2.6+ kernel as it is; -n and -p link a "
                    + "2.4 object named by its path");
            return 1;
        }
        return modern("-", params, host.runningKernel().get());
    }

    /** -n (or -p) on a 2.6+ module, on a 2.6+ kernel or with target options: the dry run (issue 17). */
    private boolean dryRunWanted(String file) {
        return (s.noload || s.probe) && s.ksyms == null && s.target == null && DryRunCommand.applies(s.offline, file);
    }

    /** The kernel's checks, run here; -p prints only the errors. */
    private int dryRun(String file, List<String> params) {
        return DryRunCommand.run(file, params, s.release, s.offline, s.verify, s.verbose, s.quiet || !s.noload,
                System.in, log);
    }

    /** The module's path (and -O's), after the search; null after saying why there is none. */
    private Path locate() {
        Optional<String> located = new ModuleLocator(conf, !s.rootCheckOff, log).locateName(filename, s.verbose);
        if (located.isEmpty()) {
            return null;
        }
        filename = located.get();
        try {
            Path path = FileNames.forReading(filename);
            blob = s.blob != null ? FileNames.path(s.blob) : null;
            return path;
        } catch (InvalidPathException e) {
            log.error(e.getInput() + ": " + e.getReason());
            return null;
        } catch (IOException e) {
            log.error(filename + ": " + IoReasons.of(e));
            return null;
        }
    }

    /** The module file, inflated if need be; null after saying why it cannot be read. */
    private ElfSource open(Path path, long imageLimit) {
        long maxObject = ObjectFiles.OBJECT_FACTOR * imageLimit;
        try {
            ElfSource data = ObjectFiles.open(path, maxObject);
            if (data == null) {
                log.error(filename + ": object of more than " + maxObject + " bytes (" + ObjectFiles.OBJECT_FACTOR
                        + " times the image limit)");
            }
            return data;
        } catch (IOException e) {
            log.error(filename + ": " + IoReasons.of(e));
            return null;
        }
    }

    /** With the object read: choose the kernel, then link it here or let the kernel do it. */
    private int withObject(Path path, ElfSource data, List<String> params, long imageLimit) {
        Kernel kernel;
        try {
            kernel = new KernelChoice(s, release, host, log).kernel();
        } catch (KernelException e) {
            log.error(e.getMessage());
            return 1;
        }
        if (kernel == null) {
            return 1;
        }
        try {
            if (!kernel.legacy()) {
                return modernKernel(filename, params, kernel);
            }
            if (ModernInsmod.isModernModule(data) && s.ksyms != null) {
                log.error(filename + " is a Linux 2.6+ module (.ko), which the kernel links itself; --ksyms describes"
                        + " a 2.4 kernel: check it with insmod -n " + filename + " (the running kernel) or the target"
                        + " options (--proc-kallsyms, --symvers, --moddir; see --help-all)");
                return 1;
            }
            if (ModernInsmod.isModernModule(data)) {
                return ModernInsmod.refuseOnLegacyKernel(filename, kernel.release(), log);
            }
            return legacy(path, data, params, kernel, imageLimit);
        } finally {
            KernelChoice.close(kernel);
        }
    }

    /** A 2.6+ kernel links modules itself; -n and -p need a symbol table to link against. */
    private int modernKernel(String filename, List<String> params, Kernel kernel) {
        if (s.noload || s.probe) {
            log.error(filename + " is a Linux 2.0-2.4 object, which this kernel (" + release + ") cannot load;"
                    + " to link it for a 2.4 target, pass that target's symbol table: --ksyms=FILE (a /proc/ksyms"
                    + " copy or /var/log/ksymoops/*.ksyms snapshot) and --uname-release=R with -n");
            return 1;
        }
        return modern(filename, params, kernel);
    }

    /** The 2.4 load: lock, kernel symbols, the linker, and the ksymoops snapshot every real attempt leaves. */
    private int legacy(Path path, ElfSource data, List<String> params, Kernel kernel, long imageLimit) {
        Flock lock = null;
        try {
            if (!s.noload) {
                // Serialise loads of the same module (2.4.16 always locks). A -n run never touches
                // the kernel, so it skips the lock and never loads JNA.
                try {
                    lock = Flock.exclusive(path);
                } catch (IOException e) {
                    log.error(IoReasons.of(e));
                }
            }
            KernelSymbols ksyms;
            String machine;
            try {
                ksyms = kernel.symbols();
                machine = s.noload ? null : kernel.machine();
            } catch (KernelException e) {
                log.error(e.getMessage());
                return 1;
            }
            LoadRequest req = request(path, data, params, kernel, machine);
            int status = Load24.run(req, new Load24.Output(s.map, blob), log, kernel, ksyms, imageLimit).status();
            String last = log.lastError();
            if (status != 0 && s.ksyms != null && s.release == null && last != null
                    && last.startsWith("kernel-module version mismatch")) {
                // The table is another kernel's, but the release compared is this machine's.
                log.error("--ksyms was given without --uname-release, so the release compared is this "
                        + "machine's (" + release + "); give the table's kernel release with --uname-release=R");
            }
            return status;
        } finally {
            if (lock != null) {
                lock.close();
            }
            if (!s.noload) {
                KsymoopsSnapshot.take(kernel, host.env(), log, KsymoopsSnapshot.INSMOD);
            }
        }
    }

    private LoadRequest request(Path path, ElfSource data, List<String> params, Kernel kernel, String machine) {
        Path real = null;
        long mtime = 0;
        try {
            real = FileNames.realPath(path);
            mtime = Files.getLastModifiedTime(real).toMillis() / 1000;
        } catch (IOException e) {
            real = null;
        }
        return LoadRequest.builder(filename, data)
                .realPath(real, mtime)
                .moduleName(s.name != null ? s.name : ObjectFiles.moduleNameOf(s.operands.get(0)))
                .args(params)
                .kernel(kernel.release(), kernel.version())
                .requiredArch(machine)
                .noload(s.noload).verbose(s.verbose)
                .option(LoadRequest.Option.PROBE, s.probe)
                .option(LoadRequest.Option.FORCE, s.force)
                .option(LoadRequest.Option.AUTOCLEAN, s.autoclean)
                .option(LoadRequest.Option.QUIET, s.quiet)
                .option(LoadRequest.Option.EXPORT, s.export)
                .option(LoadRequest.Option.KSYMOOPS, s.ksymoops)
                .option(LoadRequest.Option.KALLSYMS, s.kallsyms)
                .option(LoadRequest.Option.NUMERIC_VERSION, s.numericOnly)
                .option(LoadRequest.Option.LOCK, s.lock)
                .prefix(s.prefix)
                .persist(s.persist, conf.persistDir(), dirsOf(conf))
                .build();
    }

    /** The directories of the module search path (a loop: no stream machinery at start-up). */
    private static List<String> dirsOf(ModulesConf conf) {
        List<String> dirs = new ArrayList<>(conf.paths().size());
        for (var sp : conf.paths()) {
            dirs.add(sp.dir());
        }
        return java.util.Collections.unmodifiableList(dirs);
    }

    /** The 2.6+ path: the kernel links the module (finit_module or init_module). */
    private int modern(String module, List<String> params, Kernel kernel) {
        return ModernInsmod.run(new ModernRequest(module, List.copyOf(params), s.force, s.verbose,
                List.copyOf(s.verify), s.syscall, kernel, System.in), log,
                DryRunCommand.explainer(s.force));
    }

    static String procString(String p) {
        try {
            return new String(FileBytes.read(Path.of(p)), StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
