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
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.config.ModuleLocator;
import org.modutils.insmod.config.ModulesConf;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.kernel.OfflineKernel;
import org.modutils.insmod.module.ImageLimit;
import org.modutils.insmod.module.Insmod24;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.module.LoadRequest;
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
            return run(args, out, err, System.getenv());
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
        final List<String> verify = new ArrayList<>();
    }

    /** The throwable the last {@link #run} on this thread caught as an internal error (for the fuzzers). */
    private static final ThreadLocal<Throwable> INTERNAL_ERROR = new ThreadLocal<>();

    /** What the last run on this thread reported as "internal error", or null: always a bug. */
    public static Throwable lastInternalError() {
        return INTERNAL_ERROR.get();
    }

    public static int run(String[] argv, PrintStream out, PrintStream err, java.util.Map<String, String> env) {
        Log log = new Log(out, err);
        INTERNAL_ERROR.remove();
        try {
            return main(argv, out, err, env, log);
        } catch (RuntimeException | Error e) {
            // Never a stack trace: one line naming what went wrong.
            INTERNAL_ERROR.set(e);
            log.error("internal error: " + e);
            return 1;
        } finally {
            log.flush();
        }
    }

    private static int usage(PrintStream err) {
        err.print(OptionTable.USAGE);
        return 1;
    }

    private static int main(String[] argv, PrintStream out, PrintStream err, java.util.Map<String, String> env,
                            Log log) {
        Settings s = new Settings();
        boolean[] help = new boolean[1];
        Getopt g;
        try {
            g = Getopt.parse(OptionTable.OPTIONS, argv, o -> {
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
                    case "V": err.print("insmod version " + VERSION + "\n"); break;
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
                    case "help-all": out.print(OptionTable.helpAll()); help[0] = true; break;
                    default: help[0] = true; break;
                }
                if (help[0]) {
                    throw new StopParsing();
                }
            });
        } catch (StopParsing e) {
            return usageOrHelpAll(argv, err);
        } catch (Getopt.UsageError e) {
            err.print("insmod: " + e.getMessage() + "\n");
            return usage(err);
        }
        if (g.operands.isEmpty()) {
            return usage(err);
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
        String mName = s.name != null ? s.name : moduleNameOf(filename);

        Optional<Path> located = new ModuleLocator(conf, !s.rootCheckOff, log).locate(filename, s.verbose);
        if (located.isEmpty()) {
            return 1;
        }
        filename = located.get().toString();
        Path path = located.get();

        byte[] data;
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
            try {
                kernel = kernelFor(s, release, log);
                if (kernel == null) {
                    return 1;
                }
                ksyms = kernel.symbols();
            } catch (KernelException e) {
                log.error(e.getMessage());
                return 1;
            }
            Path real = null;
            long mtime = 0;
            try {
                real = path.toRealPath();
                mtime = Files.getLastModifiedTime(real).toMillis() / 1000;
            } catch (IOException e) {
                real = null;
            }
            LoadRequest req = new LoadRequest(filename, real, mtime, data, mName, List.copyOf(params),
                    s.blob != null ? Paths.get(s.blob) : null, null, s.noload, s.probe, s.map, s.force,
                    s.autoclean, s.quiet, s.verbose, s.export, s.ksymoops, s.kallsyms, s.numericOnly, s.lock,
                    s.prefix, null, kernel.release(), kernel.version());
            return Insmod24.run(req, log, kernel, ksyms, imageLimit).status();
        } finally {
            if (lock != null) {
                lock.close();
            }
            if (!s.noload && kernel != null) {
                snapshot(kernel, env, log);
            }
        }
    }

    /** The ksymoops snapshot every real load attempt leaves, when /var/log/ksymoops exists. */
    private static void snapshot(Kernel kernel, java.util.Map<String, String> env, Log log) {
        String dir = env.get("INSMOD_KSYMOOPS_DIR");
        Snapshot snap = dir != null ? new Snapshot(Path.of(dir), java.time.Clock.systemDefaultZone(), log::error)
                : Snapshot.standard(log::error);
        try {
            snap.take(kernel.readFile("/proc/ksyms"), kernel.readFile("/proc/modules"));
        } catch (KernelException e) {
            log.error("cannot read the kernel's symbol table for the snapshot: " + e.getMessage());
        }
    }


    /** -h, -R or a bad long option: the original usage text; --help-all: ours, exit 0. */
    private static int usageOrHelpAll(String[] argv, PrintStream err) {
        for (String a : argv) {
            if (a.equals("--help-all")) {
                return 0;
            }
        }
        return usage(err);
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
     * Reads the module file, inflating gzip by its magic number as zlib's gzopen did; null when
     * the file, or what it inflates to, is larger than {@code max} bytes.
     */
    static byte[] readModule(Path path, long max) throws IOException {
        byte[] raw;
        try (InputStream in = Files.newInputStream(path)) {
            raw = readAtMost(in, max);
        }
        if (raw == null) {
            return null;
        }
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                return readAtMost(in, max);
            }
        }
        return raw;
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

    private static Kernel kernelFor(Settings s, String release, Log log) throws KernelException {
        String version = s.version != null ? s.version : procString("/proc/sys/kernel/version");
        if (s.ksyms != null) {
            byte[] table;
            try {
                table = Files.readAllBytes(Paths.get(s.ksyms));
            } catch (IOException e) {
                log.error(s.ksyms + ": " + IoReasons.of(e));
                return null;
            }
            KernelSymbols syms;
            try {
                syms = KsymsParser.parse(table);
            } catch (KsymsParser.FormatException e) {
                log.error(s.ksyms + ": not a /proc/ksyms table: " + e.getMessage());
                return null;
            }
            if (!s.noload && !s.probe) {
                log.error("--ksyms describes a kernel that is not this one: add -n (or -p) to link offline");
                return null;
            }
            return new OfflineKernel(release, version, syms, true);
        }
        Path procKsyms = Paths.get("/proc/ksyms");
        if (Files.isReadable(procKsyms)) {
            try {
                return new OfflineKernel(release, version, KsymsParser.parse(Files.readAllBytes(procKsyms)), true);
            } catch (IOException | KsymsParser.FormatException e) {
                log.error("/proc/ksyms: " + e.getMessage());
                return null;
            }
        }
        log.error("this kernel (" + release + ") has no /proc/ksyms: 2.4 modules are linked against a symbol table, "
                + "so pass --ksyms=FILE (a /proc/ksyms copy or /var/log/ksymoops/*.ksyms snapshot of the target) "
                + "and --uname-release=R with -n");
        return null;
    }

    private static String procString(String p) {
        try {
            return Files.readString(Paths.get(p), StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
