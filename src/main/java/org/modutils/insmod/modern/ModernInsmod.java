package org.modutils.insmod.modern;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.report.Relay;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.report.UserError;

/**
 * Loads a 2.6+ module (.ko, maybe compressed, maybe from stdin) into a kernel that links modules
 * itself: read, decompress by magic, check, optionally verify the signature, hand it to the
 * kernel with finit_module or init_module, and explain a refusal.
 */
public final class ModernInsmod {
    private static final int TAINT_FORCED_MODULE = 1 << 1;

    private final ModernRequest req;
    private final Report out;
    private final Kernel kernel;
    private final String label;
    private final Explainer explainer;

    /**
     * Names the cause of a refusal from the module and the kernel's state (the dry run's checks):
     * the problems found, most important first; empty when none is found.
     */
    public interface Explainer {
        List<String> explain(String label, byte[] image, List<String> params);
    }

    private ModernInsmod(ModernRequest req, Report out, Explainer explainer) {
        this.req = req;
        this.out = lines(out);
        this.explainer = explainer;
        this.kernel = req.kernel();
        this.label = isStdin(req.module()) ? "(standard input)" : req.module();
    }

    /** Runs one load; returns the exit status (0 loaded, 1 not). Never throws. */
    public static int run(ModernRequest req, Report out) {
        return run(req, out, null);
    }

    /** {@link #run(ModernRequest, Report)}; a refusal's cause comes first from {@code explainer}. */
    public static int run(ModernRequest req, Report out, Explainer explainer) {
        try {
            return new ModernInsmod(req, out, explainer).load();
        } catch (RuntimeException | Error e) {
            lines(out).error("ERROR: internal error while loading " + req.module() + ": " + e);
            return 1;
        }
    }

    /**
     * For the CLI on a 2.1-2.4 kernel: is {@code file} (raw bytes, maybe compressed) a 2.6+ module
     * that such a kernel cannot take? False for anything else, including unreadable data.
     */
    public static boolean isModernModule(byte[] file) {
        try {
            return KoFile.parse(Compression.detect(file).decompress(file)).isModernModule();
        } catch (IOException | KoFile.BadModuleException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@link #isModernModule(byte[])} for an object read in pieces: a plain ELF file is judged by
     * its section table and .modinfo alone (a .gnu.linkonce.this_module section or a vermagic
     * entry, as {@link KoFile#isModernModule}); a compressed one is read whole.
     */
    public static boolean isModernModule(org.modutils.insmod.elf.ElfSource src) {
        try {
            byte[] head = src.head(8);
            if (Compression.detect(head) != Compression.NONE) {
                byte[] all = new byte[(int) Math.min(src.size(), Integer.MAX_VALUE - 8)];
                src.read(0, all, 0, all.length);
                return isModernModule(all);
            }
            org.modutils.insmod.elf.ElfFile elf = org.modutils.insmod.elf.ElfFile.sections("", src);
            for (int i = 0; i < elf.sectionCount(); i++) {
                String name = elf.section(i).name();
                if (name.equals(".gnu.linkonce.this_module")) {
                    return true;
                }
                if (name.equals(".modinfo")) {
                    byte[] modinfo = elf.sectionData(i);
                    for (String entry : org.modutils.insmod.module.ModInfo.entries(modinfo, modinfo.length)) {
                        if (entry.startsWith("vermagic=")) {
                            return true;
                        }
                    }
                }
            }
            return false;
        } catch (IOException | org.modutils.insmod.elf.ElfException | RuntimeException e) {
            return false;
        }
    }

    /** The sentence for a .ko offered to a 2.1-2.4 kernel; returns the exit status 1. */
    public static int refuseOnLegacyKernel(String file, String release, Report out) {
        lines(out).error("ERROR: could not insert module " + file + ": it is a Linux 2.6+ module (.ko), but the running"
                + " kernel " + release + " is a 2.1-2.4 kernel (it has query_module), which loads only 2.4 objects"
                + " (.o) that insmod links itself");
        return 1;
    }

    /**
     * The modern path's words on {@code out}: an error of several lines (a refusal and its
     * detail) as one error line each, so each gets the tool's prefix.
     */
    private static Report lines(Report out) {
        return new Relay(text -> {
            for (String line : text.split("\n", -1)) out.error(line);
        }, out::info, out::error);
    }

    static boolean isStdin(String module) {
        return module.equals("-");
    }

    /** A refusal: one error line {@code ERROR: <text>}, exit status 1. */
    private static UserError refusal(String text) {
        return new UserError("ERROR: " + text);
    }

    private int load() {
        try {
            byte[] image;
            Compression comp;
            try {
                byte[] raw = read();
                comp = Compression.detect(raw);
                image = decompress(comp, raw);
            } catch (IOException e) {
                throw refusal("could not load module " + label + ": " + ioReason(e));
            }
            KoFile ko = parse(image);
            String name = moduleName(ko);
            SignatureCheck.Split sig = signature(image);
            String params;
            try {
                params = ParamString.join(req.params());
            } catch (ParamString.BadParameterException e) {
                throw refusal(e.getMessage());
            }
            int flags = req.force() ? Kernel.MODULE_INIT_IGNORE_MODVERSIONS | Kernel.MODULE_INIT_IGNORE_VERMAGIC : 0;
            try {
                submit(comp, image, name, params, flags);
            } catch (KernelException e) {
                throw refused(e, image, ko, name, sig);
            }
            if (req.force()) reportForced(name);
            return 0;
        } catch (UserError e) {
            e.reportTo(out);
            return e.status();
        }
    }

    /** The image by its magic: decompressed, and said so under -v. */
    private byte[] decompress(Compression comp, byte[] raw) throws UserError {
        byte[] image;
        try {
            image = comp.decompress(raw);
        } catch (IOException e) {
            throw refusal("could not load module " + label + ": corrupt " + comp.kernelName() + " data: " + e.getMessage());
        }
        if (req.verbose() && comp != Compression.NONE)
            out.info("decompressed " + comp.kernelName() + ": " + raw.length + " -> " + image.length + " bytes");
        return image;
    }

    /** The image as a 2.6+ module; a 2.0-2.4 one is refused (this kernel loads only .ko). */
    private KoFile parse(byte[] image) throws UserError {
        KoFile ko;
        try {
            ko = KoFile.parse(image);
        } catch (KoFile.BadModuleException e) {
            throw refusal("could not load module " + label + ": " + e.getMessage() + " (not a kernel module)");
        }
        if (ko.isLegacyModule()) {
            String kv = ko.modinfo("kernel_version");
            throw refusal("could not insert module " + label + ": it is a Linux 2.0-2.4 module (.o"
                    + (kv == null ? "" : ", kernel_version=" + kv) + ") that insmod links itself for a 2.4 kernel,"
                    + " but the running kernel " + kernel.release() + " loads only 2.6+ modules (.ko)");
        }
        return ko;
    }

    /** Reads the signature, describes it under -v and checks it under --verify. */
    private SignatureCheck.Split signature(byte[] image) throws UserError {
        SignatureCheck.Split split = SignatureCheck.Split.of(image);
        if (req.verbose()) describeSignature(split.sig(), split.problem());
        if (!req.verifyCerts().isEmpty()) {
            String refusal = verify(split.sig(), split.problem());
            if (refusal != null) throw refusal("refusing to load " + label + ": --verify: " + refusal);
        }
        return split;
    }

    /** The kernel's refusal in one error (several lines): the errno, the cause found, the detail. */
    private UserError refused(KernelException e, byte[] image, KoFile ko, String name, SignatureCheck.Split sig) {
        if (!e.fromSyscall()) return refusal("could not insert module " + label + ": " + e.getMessage());
        Diagnostics d = new Diagnostics(kernel, ko, name, req.force(), sig.sig(), sig.problem());
        List<String> why = d.explain(e.errno());
        List<String> found = explain(image);
        String cause = !found.isEmpty() ? found.get(0) : why.isEmpty() ? null : why.get(0);
        StringBuilder sb = new StringBuilder("ERROR: could not insert module " + label + ": " + Errno.text(e.errno()));
        if (cause != null) sb.append(" -- ").append(cause);
        for (int i = 1; i < found.size(); i++) sb.append("\n  ").append(found.get(i));
        for (int i = found.isEmpty() ? 1 : 0; i < why.size(); i++) {
            if (i == 0 && why.get(0) == null) continue;
            sb.append('\n').append(i == 0 ? "  (" + why.get(0) + ")" : why.get(i));
        }
        return new UserError(sb.toString());
    }

    /** The explainer's causes; empty without one, or when it fails. */
    private List<String> explain(byte[] image) {
        if (explainer == null) return List.of();
        try {
            return explainer.explain(label, image, req.params());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private byte[] read() throws IOException {
        if (isStdin(req.module())) {
            InputStream in = req.stdin();
            return in.readAllBytes();
        }
        Path p = org.modutils.insmod.sys.FileNames.forReading(req.module());
        if (Files.isDirectory(p)) throw new IOException(Errno.text(21));
        return Files.readAllBytes(p);
    }

    private static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) return Errno.text(Errno.ENOENT);
        if (e instanceof AccessDeniedException) return Errno.text(13);
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** .modinfo name= (2.6.36+ modpost writes it), else the file name up to the first '.', '-' as '_'. */
    private String moduleName(KoFile ko) {
        String n = ko.modinfo("name");
        if (n != null && !n.isEmpty()) return n;
        if (isStdin(req.module())) return "unknown";
        String base = req.module().substring(req.module().lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        return (dot > 0 ? base.substring(0, dot) : base).replace('-', '_');
    }

    private void describeSignature(ModuleSignature sig, String problem) {
        if (problem != null) {
            out.info("signature: unusable: " + problem);
            return;
        }
        if (sig == null) {
            out.info("signature: none");
            return;
        }
        try {
            for (CmsSignature.Signer s : CmsSignature.signers(sig)) {
                out.info("signer: " + s.signer());
                out.info("key id: " + s.keyId());
                out.info("digest: " + s.digest());
            }
        } catch (ModuleSignature.BadSignatureException e) {
            out.info("signature: unusable: " + e.getMessage());
        }
    }

    /** Null when the signature verifies with one of the certificates, else the reason. */
    private String verify(ModuleSignature sig, String problem) {
        SignatureCheck.Result r = SignatureCheck.verify(sig, problem, req.verifyCerts());
        if (!r.ok()) return r.message();
        if (req.verbose()) out.info(r.message());
        return null;
    }

    private String kernelCompression() {
        try {
            byte[] b = kernel.readFile("/sys/module/compression");
            return b == null ? null : new String(b, StandardCharsets.US_ASCII).trim();
        } catch (KernelException e) {
            return null;
        }
    }

    private void submit(Compression comp, byte[] image, String name, String params, int flags) throws KernelException {
        ModernRequest.Syscall how = req.syscall();
        boolean stdin = isStdin(req.module());
        if (!stdin && how != ModernRequest.Syscall.INIT) {
            if (comp == Compression.NONE) {
                if (tryFinit(() -> kernel.finitModule(req.module(), params, flags),
                        "finit_module on the file, flags " + flags)) return;
                initImage(image, params, comp);
                return;
            }
            if (comp.kernelName().equals(kernelCompression())) {
                int f = flags | Kernel.MODULE_INIT_COMPRESSED_FILE;
                if (tryFinit(() -> kernel.finitModule(req.module(), params, f),
                        "finit_module on the " + comp.kernelName() + " file (the kernel decompresses), flags " + f)) return;
                initImage(image, params, comp);
                return;
            }
        }
        // The data is in memory (decompressed here, or stdin). finit on a memfd keeps the -f flags,
        // which init_module cannot carry, so -f prefers it.
        if (how == ModernRequest.Syscall.FINIT || (how == ModernRequest.Syscall.AUTO && req.force())) {
            String what = (comp == Compression.NONE ? "the image" : "the " + comp.kernelName() + "-decompressed image")
                    + " in a memfd (" + image.length + " bytes), flags " + flags;
            if (tryFinit(() -> kernel.finitModuleImage(name, image, params, flags), "finit_module on " + what)) return;
        }
        initImage(image, params, comp);
    }

    private interface Call {
        void run() throws KernelException;
    }

    /** Runs a finit call; false when the kernel has no finit_module/memfd (ENOSYS) and AUTO may fall back. */
    private boolean tryFinit(Call call, String what) throws KernelException {
        if (req.verbose()) out.info("syscall: " + what);
        try {
            call.run();
            return true;
        } catch (KernelException e) {
            if (e.errno() != Errno.ENOSYS || req.syscall() == ModernRequest.Syscall.FINIT) throw e;
            if (req.verbose()) out.info(e.getMessage() + "; falling back to init_module");
            return false;
        }
    }

    private void initImage(byte[] image, String params, Compression comp) throws KernelException {
        if (req.verbose())
            out.info("syscall: init_module with the " + (comp == Compression.NONE ? "" : comp.kernelName() + "-decompressed ")
                    + "image (" + image.length + " bytes)");
        if (req.force() && req.verbose())
            out.info("note: init_module has no flags; -f cannot be passed on this path");
        kernel.initModuleImage(image, params);
    }

    private void reportForced(String name) {
        String taint;
        try {
            int t = kernel.tainted();
            taint = t < 0 ? "the kernel has no taint flags"
                    : "/proc/sys/kernel/tainted is now " + t + ((t & TAINT_FORCED_MODULE) != 0
                    ? " (F: forced module load)" : " (without F: nothing had to be forced)");
        } catch (KernelException e) {
            taint = "taint unknown: " + e.getMessage();
        }
        out.error("warning: -f: the kernel accepted module " + name
                + " while told to ignore vermagic and symbol versions; " + taint);
    }
}
