package org.modutils.insmod.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.modutils.insmod.modern.KoFile;
import org.modutils.insmod.modern.check.DryRun;
import org.modutils.insmod.modern.check.DryRunRequest;
import org.modutils.insmod.modern.check.Finding;
import org.modutils.insmod.modern.check.KernelView;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.tools.ToolLog;

/**
 * {@code insmod -n} for a 2.6+ module: runs the library's dry run against the running kernel or
 * an offline description of a target, prints one line per problem and exits 0 (the kernel would
 * accept it) or 1 (it would refuse).
 */
final class DryRunCommand {
    /** The target description options (--uname-machine, --proc-kallsyms, ...). */
    static final class Offline {
        String machine, kallsyms, modules, symvers, moddir, sigEnforce;

        boolean any() {
            return machine != null || kallsyms != null || modules != null || symvers != null || moddir != null
                    || sigEnforce != null;
        }
    }

    /** The most a module file may be (the kernel's own limit on a module image is far below). */
    private static final long MAX = 1L << 30;

    private DryRunCommand() {}

    /**
     * Should this {@code -n} run be a dry run of a 2.6+ module? Yes when target options were
     * given, or the running kernel is 2.6+ (no /proc/ksyms) and the file is not a 2.0-2.4 object.
     */
    static boolean applies(Offline off, String file) {
        if (off.any()) return true;
        if (Files.exists(Path.of("/proc/ksyms"))) return false;
        if (file.equals("-")) return true;
        try {
            Path p = org.modutils.insmod.sys.FileNames.forReading(file);
            if (!Files.isRegularFile(p) || Files.size(p) > MAX) return true;
            byte[] all = Files.readAllBytes(p);
            if (!KoFile.isElf(all)) return true;
            return !KoFile.parse(all).isLegacyModule();
        } catch (IOException | KoFile.BadModuleException | RuntimeException e) {
            return true; // the dry run says what is wrong with it
        }
    }

    static int run(String file, List<String> params, String release, Offline off, List<String> verify,
                   boolean verbose, boolean quiet, InputStream stdin, ToolLog log) {
        boolean stdinFile = file.equals("-");
        String label = stdinFile ? "(standard input)" : Finding.printable(file);
        byte[] data;
        try {
            data = stdinFile ? readAtMost(stdin) : readFile(org.modutils.insmod.sys.FileNames.forReading(file));
        } catch (IOException e) {
            log.error("ERROR: could not read module " + label + ": " + IoReasons.of(e));
            return 1;
        }
        if (data == null) {
            log.error("ERROR: " + label + ": more than " + MAX + " bytes: not a module");
            return 1;
        }
        KernelView view;
        try {
            view = view(release, off);
        } catch (java.nio.file.InvalidPathException e) {
            log.error("ERROR: " + e.getInput() + ": " + e.getReason());
            return 1;
        }
        DryRun.Report r = DryRun.check(new DryRunRequest(label, stdinFile ? null : file, data, params, view, verify));
        for (Finding f : r.findings()) print(label, f, verbose, quiet, log);
        if (verbose) {
            log.info(label + ": " + (r.accepted() ? "the kernel " + view.release() + " would accept it"
                    : "the kernel " + view.release() + " would refuse it"));
        }
        return r.accepted() ? 0 : 1;
    }

    private static void print(String label, Finding f, boolean verbose, boolean quiet, ToolLog log) {
        switch (f.severity()) {
            case ERROR: log.error("ERROR: " + label + ": " + f.text()); break;
            case WARNING: if (!quiet) log.error("warning: " + label + ": " + f.text()); break;
            case NOTE: if (!quiet) log.error("note: " + label + ": " + f.text()); break;
            default: if (verbose) log.info("ok: " + f.check() + ": " + f.text()); break;
        }
    }

    /** The running kernel, or the target the options describe (sources not given are absent). */
    static KernelView view(String release, Offline off) {
        if (!off.any()) {
            KernelView running = KernelView.running();
            if (release == null || release.isEmpty() || release.equals(running.release())) return running;
        }
        Path moddir = off.moddir == null ? null : Path.of(off.moddir);
        String rel = release != null && !release.isEmpty() ? release
                : moddir != null && moddir.getFileName() != null ? moddir.getFileName().toString() : null;
        Boolean enforce = off.sigEnforce == null ? null : off.sigEnforce.matches("(?i)y|yes|1|on|true");
        return new KernelView(new KernelView.Sources(rel, off.machine, path(off.kallsyms), path(off.modules),
                path(off.symvers), moddir, null, enforce, null, null));
    }

    /**
     * For a real load the kernel refused: the dry run's errors against the running kernel name
     * the cause. With -f the kernel was told to ignore vermagic and CRCs, so those are left out.
     */
    static org.modutils.insmod.modern.ModernInsmod.Explainer explainer(boolean force) {
        return new org.modutils.insmod.modern.ModernInsmod.Explainer() {
            @Override
            public List<String> explain(String label, byte[] image, List<String> params) {
                DryRun.Report r = DryRun.check(new DryRunRequest(label, null, image, params, KernelView.running(),
                        List.of()));
                List<String> out = new java.util.ArrayList<>();
                for (Finding f : r.errors()) {
                    if (force && (f.check().equals("vermagic") || f.check().equals("crc"))) continue;
                    out.add(f.text());
                }
                return out;
            }
        };
    }

    private static Path path(String p) {
        return p == null ? null : Path.of(p);
    }

    private static byte[] readFile(Path p) throws IOException {
        if (Files.isDirectory(p)) throw new IOException(org.modutils.insmod.kernel.Errno.text(21));
        try (InputStream in = Files.newInputStream(p)) {
            return readAtMost(in);
        }
    }

    private static byte[] readAtMost(InputStream in) throws IOException {
        byte[] b = in.readNBytes((int) MAX + 1);
        return b.length > MAX ? null : b;
    }
}
