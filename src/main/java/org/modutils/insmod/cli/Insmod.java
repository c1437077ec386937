package org.modutils.insmod.cli;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.config.ModuleLocator;
import org.modutils.insmod.config.ModulesConf;
import org.modutils.insmod.elf.ElfSource;
import org.modutils.insmod.kernel.DirectoryKernel;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.kernel.RemoteKernel;
import org.modutils.insmod.kernel.OfflineKernel;
import org.modutils.insmod.module.ImageLimit;
import org.modutils.insmod.module.Insmod24;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.module.LoadRequest;
import org.modutils.insmod.modern.ModernInsmod;
import org.modutils.insmod.modern.ModernRequest;
import org.modutils.insmod.sys.FileNames;
import org.modutils.insmod.sys.Flock;
import org.modutils.insmod.sys.Snapshot;
import org.modutils.insmod.sys.Syslog;

/** The insmod command: options, locating and reading the module, then the 2.4 linker or the kernel. */
public final class Insmod {
    public static final String VERSION = "2.4.16";

    private Insmod() {}

    /** Runs insmod with the process's standard streams. */
    public static int run(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
        try {
            return run(args, out, err, System.getenv(), true, OptionTable.stderrIsTerminal());
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Settings gathered from the command line. */
    static final class Settings {
        boolean force, autoclean, lock = true, map, noload, probe, quiet, rootCheckOff, syslog, kallsyms, verbose;
        boolean export = true, ksymoops = true, numericOnly;
        String persist, name, blob, prefix, ksyms, release, version, target;
        ModernRequest.Syscall syscall = ModernRequest.Syscall.AUTO;
        final List<String> verify = new ArrayList<>();
        final DryRunCommand.Offline offline = new DryRunCommand.Offline();
    }

    /** The throwable the last {@link #run} on this thread caught as an internal error (for the fuzzers). */
    private static final ThreadLocal<Throwable> INTERNAL_ERROR = new ThreadLocal<>();

    /** What the last run on this thread reported as "internal error", or null: always a bug. */
    public static Throwable lastInternalError() {
        return INTERNAL_ERROR.get();
    }

    public static int run(String[] argv, PrintStream out, PrintStream err, java.util.Map<String, String> env) {
        return run(argv, out, err, env, false, false);
    }

    /**
     * {@code latin1Out}: {@code out} encodes ISO-8859-1 (the process's own streams).
     * {@code interactive}: stderr is a terminal, so a person reads it: -h, the usage after a bad
     * option and -V then add one line about this implementation after the original's text, which
     * scripts and recordings (stderr to a file or pipe) get byte for byte.
     */
    static int run(String[] argv, PrintStream out, PrintStream err, java.util.Map<String, String> env,
                   boolean latin1Out, boolean interactive) {
        Log log = new Log(out, err, latin1Out);
        INTERNAL_ERROR.remove();
        try {
            return main(argv, out, err, env, log, interactive);
        } catch (RuntimeException | Error e) {
            // Never a stack trace: one line naming what went wrong.
            INTERNAL_ERROR.set(e);
            log.error("internal error: " + e);
            return 1;
        } finally {
            log.flush();
        }
    }

    private static int usage(PrintStream err, boolean interactive) {
        err.print(OptionTable.USAGE);
        if (interactive) {
            err.print(OptionTable.USAGE_MORE);
        }
        return 1;
    }

    private static int main(String[] argv, PrintStream out, PrintStream err, java.util.Map<String, String> env,
                            Log log, boolean interactive) {
        Settings s = new Settings();
        boolean[] help = new boolean[1];
        Getopt g;
        try {
            // An anonymous class, not a lambda: the lambda bootstrap is a measurable part of start-up.
            g = Getopt.parse(OptionTable.OPTIONS, OptionTable.ORIGINAL_LONG, env.containsKey("POSIXLY_CORRECT"), argv,
                    new java.util.function.Consumer<Getopt.Opt>() {
              @Override
              public void accept(Getopt.Opt o) {
                switch (o.key()) {
                    case "f": s.force = true; break;
                    case "h": help[0] = true; break;
                    case "k": s.autoclean = true; break;
                    case "L": s.lock = true; break;
                    case "m": s.map = true; break;
                    case "n": s.noload = true; break;
                    case "p": case "poll": s.probe = true; break;
                    case "q": s.quiet = true; break;
                    case "r": s.rootCheckOff = !s.rootCheckOff; break;
                    case "s": s.syslog = true; break;
                    case "S": s.kallsyms = true; break;
                    case "v": s.verbose = true; break;
                    case "V":
                        err.print("insmod version " + VERSION + "\n");
                        if (interactive) {
                            err.print(OptionTable.VERSION_MORE);
                        }
                        break;
                    case "x": s.export = false; break;
                    case "X": s.export = true; break;
                    case "y": s.ksymoops = false; break;
                    case "Y": s.ksymoops = true; break;
                    case "N": s.numericOnly = true; break;
                    case "e": s.persist = o.arg(); break;
                    case "o": s.name = o.arg(); break;
                    case "O": s.blob = o.arg(); break;
                    case "P":
                        if (s.prefix == null) {
                            s.prefix = o.arg();
                            if (s.verbose) {
                                log.info("Symbol version prefix '" + s.prefix + "'");
                            }
                        }
                        break;
                    case "R": help[0] = true; break;
                    case "ksyms": s.ksyms = o.arg(); break;
                    case "uname-release": s.release = o.arg(); break;
                    case "uname-version": s.version = o.arg(); break;
                    case "target": s.target = o.arg(); break;
                    case "verify": s.verify.addAll(List.of(o.arg().split(","))); break;
                    case "syscall":
                        switch (o.arg()) {
                            case "auto": s.syscall = ModernRequest.Syscall.AUTO; break;
                            case "finit": s.syscall = ModernRequest.Syscall.FINIT; break;
                            case "init": s.syscall = ModernRequest.Syscall.INIT; break;
                            default: help[0] = true;
                        }
                        break;
                    case "uname-machine": s.offline.machine = o.arg(); break;
                    case "proc-kallsyms": s.offline.kallsyms = o.arg(); break;
                    case "proc-modules": s.offline.modules = o.arg(); break;
                    case "symvers": s.offline.symvers = o.arg(); break;
                    case "moddir": s.offline.moddir = o.arg(); break;
                    case "sig-enforce": s.offline.sigEnforce = o.arg(); break;
                    case "help-all": out.print(OptionTable.helpAll()); help[0] = true; break;
                    default: help[0] = true; break;
                }
                if (help[0]) {
                    throw new StopParsing();
                }
              }
            });
        } catch (StopParsing e) {
            return usageOrHelpAll(argv, err, interactive);
        } catch (Getopt.UsageError e) {
            err.print("insmod: " + e.getMessage() + "\n");
            return usage(err, interactive);
        }
        if (g.operands.isEmpty()) {
            return usage(err, interactive);
        }
        String filename = g.operands.get(0);
        List<String> params = g.operands.subList(1, g.operands.size());
        long imageLimit;
        try {
            imageLimit = ImageLimit.from(env);
        } catch (ImageLimit.BadSetting e) {
            log.error(e.getMessage());
            return 1;
        }

        if (s.syslog) {
            log.toSyslog(Syslog.insmod());
        }
        String release = s.release != null ? s.release : procString("/proc/sys/kernel/osrelease");
        ModulesConf conf = ModulesConf.read(ConfigContext.of(Path.of("/"), env, release, s.autoclean), log);
        if ("".equals(s.persist) && (conf.persistDir() == null || conf.persistDir().isEmpty())) {
            // As the original, right after reading the configuration (before "Using ...").
            s.persist = null;
            if (s.verbose) {
                log.info("insmod: -e \"\" ignored, no persistdir");
            }
        }
        String mName = s.name != null ? s.name : moduleNameOf(filename);

        if ((s.noload || s.probe) && s.ksyms == null && s.target == null && (filename.equals("-")
                || filename.contains("/") || filename.contains(".")) && DryRunCommand.applies(s.offline, filename)) {
            // -n (or -p, quietly) on a 2.6+ module: the kernel's checks, run here (issue 17)
            return DryRunCommand.run(filename, params, s.release, s.offline, s.verify, s.verbose,
                    s.quiet || !s.noload, System.in, log);
        }
        if (filename.equals("-")) {
            // A module on standard input: only the 2.6+ path takes one (the kernel links it).
            if (s.noload || s.probe) {
                log.error("-: a module on standard input is handed to a 2.6+ kernel as it is; -n and -p link a "
                        + "2.4 object named by its path");
                return 1;
            }
            return modern(s, "-", params, new LinuxKernel(), log);
        }
        Optional<String> located = new ModuleLocator(conf, !s.rootCheckOff, log).locateName(filename, s.verbose);
        if (located.isEmpty()) {
            return 1;
        }
        // The name as typed (or found) is what every message shows; the Path only opens it.
        filename = located.get();
        Path path;
        Path blob;
        try {
            path = FileNames.forReading(filename);
            blob = s.blob != null ? FileNames.path(s.blob) : null;
        } catch (InvalidPathException e) {
            log.error(e.getInput() + ": " + e.getReason());
            return 1;
        } catch (IOException e) {
            log.error(filename + ": " + IoReasons.of(e));
            return 1;
        }

        ElfSource data;
        long maxObject = OBJECT_FACTOR * imageLimit;
        try {
            data = readModule(path, maxObject);
            if (data == null) {
                log.error(filename + ": object of more than " + maxObject + " bytes (" + OBJECT_FACTOR
                        + " times the image limit)");
                return 1;
            }
        } catch (IOException e) {
            log.error(filename + ": " + IoReasons.of(e));
            return 1;
        }
        Kernel kernel = null;
        Flock lock = null;
        boolean snapshot = false;
        try {
            try {
                kernel = kernelFor(s, release, env, log);
            } catch (KernelException e) {
                log.error(e.getMessage());
                return 1;
            }
            if (kernel == null) {
                return 1;
            }
            if (!kernel.legacy()) {
                // A 2.6+ kernel links modules itself.
                if (s.noload || s.probe) {
                    if (DryRunCommand.applies(s.offline, filename)) {
                        return DryRunCommand.run(filename, params, s.release, s.offline, s.verify, s.verbose,
                                s.quiet || !s.noload, System.in, log);
                    }
                    log.error(filename + " is a Linux 2.0-2.4 object, which this kernel (" + release + ") cannot load;"
                            + " to link it for a 2.4 target, pass that target's symbol table: --ksyms=FILE (a /proc/ksyms"
                            + " copy or /var/log/ksymoops/*.ksyms snapshot) and --uname-release=R with -n");
                    return 1;
                }
                return modern(s, filename, params, kernel, log);
            }
            if (ModernInsmod.isModernModule(data) && s.ksyms != null) {
                log.error(filename + " is a Linux 2.6+ module (.ko), which the kernel links itself; --ksyms describes"
                        + " a 2.4 kernel: check it with insmod -n " + filename + " (the running kernel) or the target"
                        + " options (--proc-kallsyms, --symvers, --moddir; see --help-all)");
                return 1;
            }
            if (ModernInsmod.isModernModule(data)) {
                return ModernInsmod.refuseOnLegacyKernel(filename, kernel.release(), modernMessages(log));
            }
            if (!s.noload) {
                // Serialise loads of the same module (2.4.16 always locks). A -n run never touches
                // the kernel, so it skips the lock and never loads JNA.
                try {
                    lock = Flock.exclusive(path);
                } catch (IOException e) {
                    log.error(IoReasons.of(e));
                }
                snapshot = true;
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
            Path real = null;
            long mtime = 0;
            try {
                real = FileNames.realPath(path);
                mtime = Files.getLastModifiedTime(real).toMillis() / 1000;
            } catch (IOException e) {
                real = null;
            }
            LoadRequest req = new LoadRequest(filename, real, mtime, data, mName, List.copyOf(params),
                    blob, machine, s.noload,
                    s.probe, s.map, s.force,
                    s.autoclean, s.quiet, s.verbose, s.export, s.ksymoops, s.kallsyms, s.numericOnly, s.lock,
                    s.prefix, s.persist, kernel.release(), kernel.version(), conf.persistDir(),
                    dirsOf(conf));
            int status = Insmod24.run(req, log, kernel, ksyms, imageLimit).status();
            String last = log.lastError();
            if (status != 0 && s.ksyms != null && s.release == null && last != null
                    && last.startsWith("kernel-module version mismatch")) {
                // The table is another kernel's, but the release compared is this machine's.
                log.error("--ksyms was given without --uname-release, so the release compared is this "
                        + "machine's (" + release + "); give the table's kernel release with --uname-release=R");
            }
            return status;
        } finally {
            try {
                data.close();
            } catch (IOException ignored) {
                // a read-only file: nothing to lose
            }
            if (lock != null) {
                lock.close();
            }
            if (snapshot) {
                snapshot(kernel, env, log);
            }
            if (kernel instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing a link to a remote target: nothing left to report
                }
            }
        }
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
    private static int modern(Settings s, String module, List<String> params, Kernel kernel, Log log) {
        return ModernInsmod.run(new ModernRequest(module, List.copyOf(params), s.force, s.verbose,
                List.copyOf(s.verify), s.syscall, kernel, System.in), modernMessages(log), DryRunCommand.explainer(s.force));
    }

    /** The modern path's messages through our logger (so -s applies): "insmod: " on every line. */
    private static org.modutils.insmod.modern.Messages modernMessages(Log log) {
        return new org.modutils.insmod.modern.Messages() {
            @Override
            public void error(String text) {
                for (String line : text.split("\n", -1)) {
                    log.error(line);
                }
            }

            @Override
            public void info(String text) {
                log.info(text);
            }
        };
    }

    /** The ksymoops snapshot every real load attempt leaves, when /var/log/ksymoops exists. */
    private static void snapshot(Kernel kernel, java.util.Map<String, String> env, Log log) {
        if (kernel instanceof RemoteKernel remote) {
            remoteSnapshot(remote, log);
            return;
        }
        String dir = env.get("INSMOD_KSYMOOPS_DIR");
        Snapshot snap = dir != null ? new Snapshot(Path.of(dir), java.time.Clock.systemDefaultZone(), log::error)
                : Snapshot.standard(log::error);
        try {
            snap.take(kernel.readFile("/proc/ksyms"), kernel.readFile("/proc/modules"));
        } catch (KernelException e) {
            log.error("cannot read the kernel's symbol table for the snapshot: " + e.getMessage());
        }
    }


    /** The same snapshot on a remote target, written there through its agent. */
    private static void remoteSnapshot(RemoteKernel k, Log log) {
        String dir = "/var/log/ksymoops";
        try {
            if (!k.isDirectory(dir)) {
                return;
            }
            String ts = java.time.format.DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
                    .format(java.time.LocalDateTime.ofEpochSecond(k.time(), 0, java.time.ZoneOffset.UTC));
            byte[] ksyms = k.readFile("/proc/ksyms");
            byte[] modules = k.readFile("/proc/modules");
            if (ksyms != null) {
                k.writeFile(dir + "/" + ts + ".ksyms", ksyms);
            }
            if (modules != null) {
                k.writeFile(dir + "/" + ts + ".modules", modules);
            }
        } catch (KernelException e) {
            log.error("cannot write the ksymoops snapshot on the target: " + e.getMessage());
        }
    }

    /** -h, -R or a bad long option: the original usage text; --help-all: ours, exit 0. */
    private static int usageOrHelpAll(String[] argv, PrintStream err, boolean interactive) {
        for (String a : argv) {
            if (a.equals("--help-all")) {
                return 0;
            }
        }
        return usage(err, interactive);
    }

    /** Thrown from the option callback to stop at -h, as the original exits in getopt's loop. */
    private static final class StopParsing extends RuntimeException {
        StopParsing() {
            super(null, null, false, false);
        }
    }

    /** The module name: the base name without .o, .mod or .o.gz (and .ko forms). */
    static String moduleNameOf(String filename) {
        int slash = filename.lastIndexOf('/');
        String p = slash >= 0 ? filename.substring(slash + 1) : filename;
        int len = p.length();
        for (String ext : new String[] {".o", ".mod", ".o.gz", ".ko", ".ko.gz", ".ko.xz", ".ko.zst"}) {
            if (len > ext.length() && p.endsWith(ext)) {
                return p.substring(0, len - ext.length());
            }
        }
        return p;
    }

    /**
     * How much larger than the image limit the object file may be (after decompression): debug
     * information makes objects much larger than what is loaded, a gzip bomb or /dev/zero only
     * larger still.
     */
    static final long OBJECT_FACTOR = 16;

    /**
     * Opens the module file, inflating gzip by its magic number as zlib's gzopen did; null when
     * the file, or what it inflates to, is larger than {@code max} bytes. A plain regular file is
     * read in place, piece by piece as the linker needs it, so a large module is never held whole
     * in memory; the caller closes what is returned.
     */
    static ElfSource readModule(Path path, long max) throws IOException {
        byte[] raw;
        if (Files.isRegularFile(path) && Files.size(path) <= max) {
            ElfSource file = ElfSource.open(path);
            boolean keep = false;
            try {
                if (file.size() > max) {
                    return null;
                }
                byte[] magic = file.head(2);
                if (magic.length < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
                    keep = true;
                    return file;
                }
                raw = new byte[(int) file.size()];
                file.read(0, raw, 0, raw.length);
            } finally {
                if (!keep) {
                    file.close();
                }
            }
        } else {
            try (InputStream in = Files.newInputStream(path)) {
                raw = readAtMost(in, max);
            }
        }
        if (raw == null) {
            return null;
        }
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                raw = readAtMost(in, max);
            }
        }
        return raw == null ? null : ElfSource.of(raw);
    }

    /** The whole stream, or null once it has given more than {@code max} bytes. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            bo.write(buf, 0, n);
        }
        return bo.toByteArray();
    }

    /**
     * The kernel this run talks to: a remote 2.4 target (--target), an offline symbol table
     * (--ksyms, with -n or -p), the stand-in kernel of the tests (INSMOD_TEST_KERNEL), else the
     * running kernel.
     */
    private static Kernel kernelFor(Settings s, String release, java.util.Map<String, String> env, Log log)
            throws KernelException {
        if (s.target != null) {
            RemoteKernel k = RemoteKernel.open(s.target);
            if (!k.legacy()) {
                k.close();
                log.error("target " + s.target + " runs a kernel without query_module (2.6 or later): "
                        + "--target drives 2.1-2.4 kernels");
                return null;
            }
            return k;
        }
        if (s.ksyms != null) {
            String version = s.version != null ? s.version : procString("/proc/sys/kernel/version");
            byte[] table;
            try {
                table = org.modutils.insmod.sys.FileBytes.read(FileNames.forReading(s.ksyms));
            } catch (IOException e) {
                log.error(s.ksyms + ": " + IoReasons.of(e));
                return null;
            }
            KernelSymbols syms;
            try {
                syms = KsymsParser.parse(table);
            } catch (KernelException e) {
                log.error(s.ksyms + ": not a /proc/ksyms table: " + e.getMessage());
                return null;
            }
            if (!s.noload && !s.probe) {
                log.error("--ksyms describes a kernel that is not this one: add -n (or -p) to link offline");
                return null;
            }
            return new OfflineKernel(release, version, syms, true);
        }
        String testKernel = env.get("INSMOD_TEST_KERNEL");
        if (testKernel != null) {
            return new DirectoryKernel(Path.of(testKernel));
        }
        return new LinuxKernel();
    }

    private static String procString(String p) {
        try {
            return Files.readString(Paths.get(p), StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
