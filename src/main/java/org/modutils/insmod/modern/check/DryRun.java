package org.modutils.insmod.modern.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.modutils.insmod.modern.Compression;
import org.modutils.insmod.modern.KoFile;
import org.modutils.insmod.modern.ModuleSignature;
import org.modutils.insmod.modern.ParamString;

/**
 * {@code insmod -n} for 2.6+ modules: every check of the kernel's load_module that userspace can
 * make, in the kernel's order, against a {@link KernelView}. Nothing is loaded. The result lists
 * what passed, what the kernel would warn about (taints, ignored parameters), what it would refuse
 * and what could not be checked.
 */
public final class DryRun {
    /** The licenses the kernel counts as GPL-compatible (license_is_gpl_compatible). */
    private static final Set<String> GPL_COMPATIBLE = Set.of("GPL", "GPL v2", "GPL and additional rights",
            "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");

    /** What a dry run found. */
    public record Report(String moduleName, List<Finding> findings) {
        /** True when the kernel would accept the module: no error. */
        public boolean accepted() {
            for (Finding f : findings) if (f.isError()) return false;
            return true;
        }

        public List<Finding> errors() {
            List<Finding> e = new ArrayList<>();
            for (Finding f : findings) if (f.isError()) e.add(f);
            return e;
        }
    }

    private final DryRunRequest req;
    private final KernelView k;
    private final List<Finding> out = new ArrayList<>();

    private DryRun(DryRunRequest req) {
        this.req = req;
        this.k = req.kernel();
    }

    /** Runs every check; never throws for bad input (a damaged module is an error finding). */
    public static Report check(DryRunRequest req) {
        DryRun d = new DryRun(req);
        String name = d.run();
        return new Report(name, List.copyOf(d.out));
    }

    private String run() {
        if (k.lacksModuleSupport()) { // nothing else matters
            out.add(Finding.error("kernel", "this kernel (" + k.release() + ") has no module support (no /proc/modules:"
                    + " built without CONFIG_MODULES): it loads no module"));
            return null;
        }
        Compression comp = Compression.detect(req.data());
        byte[] image;
        try {
            image = comp.decompress(req.data());
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e instanceof java.io.EOFException
                    ? "the data ends too early (truncated)" : e.getClass().getSimpleName();
            out.add(Finding.error("file", "corrupt " + comp.kernelName() + " data: " + why));
            return null;
        }
        if (comp != Compression.NONE)
            out.add(Finding.pass("file", comp.kernelName() + "-compressed, " + image.length + " bytes decompressed"));
        boolean sigOk = SignatureCheck.run(image, k, req.verifyCerts(), out);
        byte[] body = stripSignature(image);
        ModuleTree.Reference ref = k.tree() == null ? null : k.tree().reference();
        Finding elf = ElfCheck.check(body, k.machine(), ref == null ? -1 : ref.thisModuleSize());
        if (elf != null) {
            out.add(elf);
            return null;
        }
        KoFile ko;
        try {
            ko = KoFile.parse(body);
        } catch (KoFile.BadModuleException e) {
            out.add(Finding.error("elf", e.getMessage()));
            return null;
        }
        out.add(Finding.pass("elf", "a relocatable " + KoFile.machineName(ko.machine()) + " module"
                + (ref == null ? "" : ", struct module of this kernel's size (" + ref.thisModuleSize() + " bytes)")));
        String name = moduleName(ko, body);
        vermagic(ko, ref);
        alreadyLoaded(name);
        String license = ko.modinfo("license");
        boolean gpl = license != null && GPL_COMPATIBLE.contains(license);
        taints(ko, name, license, gpl, sigOk);
        new SymbolCheck(ko, k, license == null ? "unspecified" : license, gpl, out).run();
        params(ko, body, name);
        return name;
    }

    private static byte[] stripSignature(byte[] image) {
        if (!ModuleSignature.hasTrailer(image)) return image;
        try {
            ModuleSignature s = ModuleSignature.of(image);
            return s == null ? image : s.signedContent();
        } catch (ModuleSignature.BadSignatureException e) {
            return image;
        }
    }

    /** .modinfo name=, else the name field of struct module in .gnu.linkonce.this_module, else the file name. */
    private String moduleName(KoFile ko, byte[] body) {
        String n = ko.modinfo("name");
        if (n != null && !n.isEmpty()) return n;
        KoFile.Section s = ko.section(".gnu.linkonce.this_module");
        int at = ko.is64() ? 24 : 12;
        if (s != null && s.size() > at + 56) {
            int from = (int) s.offset() + at, end = from;
            while (end < from + 56 && body[end] != 0) end++;
            if (end > from) return new String(body, from, end - from, StandardCharsets.ISO_8859_1);
        }
        if (req.fileName() == null) return "unknown";
        String base = req.fileName().substring(req.fileName().lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        return KernelView.normalize(dot > 0 ? base.substring(0, dot) : base);
    }

    /** check_modinfo: vermagic with same_magic (with __versions the release word is not compared). */
    private void vermagic(KoFile ko, ModuleTree.Reference ref) {
        String mine = ko.modinfo("vermagic");
        if (mine == null) {
            out.add(Finding.error("vermagic", "the module has no vermagic in .modinfo: the kernel loads it only when"
                    + " forced (-f, taint F) and only if built with CONFIG_MODULE_FORCE_LOAD; rebuild it with the"
                    + " kernel's build system"));
            return;
        }
        if (ref == null) {
            out.add(Finding.note("vermagic", "vermagic '" + mine + "' not checked: no installed module of "
                    + k.release() + " to read the kernel's vermagic from (give --moddir)"));
            return;
        }
        boolean crcs = ko.section("__versions") != null;
        String a = crcs ? afterRelease(mine) : mine, b = crcs ? afterRelease(ref.vermagic()) : ref.vermagic();
        if (a.equals(b)) {
            out.add(Finding.pass("vermagic", "vermagic '" + mine + "' matches the kernel's" + (crcs && !mine.equals(
                    ref.vermagic()) ? " after the release (modversions: the kernel compares symbol CRCs instead)" : "")));
            return;
        }
        out.add(Finding.error("vermagic", "vermagic '" + mine + "' does not match this kernel's '" + ref.vermagic()
                + "' (the kernel: \"version magic '" + mine + "' should be '" + ref.vermagic() + "'\"): rebuild the"
                + " module against " + k.release() + "'s headers" + (crcs ? "; with symbol versions only the part"
                + " after the release counts: '" + a.trim() + "' against '" + b.trim() + "'" : "")));
    }

    private static String afterRelease(String magic) {
        int sp = magic.indexOf(' ');
        return sp < 0 ? "" : magic.substring(sp);
    }

    private void alreadyLoaded(String name) {
        Set<String> loaded = k.loadedModules();
        if (loaded == null) {
            out.add(Finding.note("loaded", "whether " + name + " is loaded is not known (no /proc/modules)"));
        } else if (loaded.contains(name)) {
            out.add(Finding.error("loaded", "module " + name + " is already loaded: unload it first (rmmod " + name
                    + ") to load this file"));
        } else {
            out.add(Finding.pass("loaded", "no module named " + name + " is loaded"));
        }
    }

    /** The taints module_augment_kernel_taints would add: warnings, the kernel still loads. */
    private void taints(KoFile ko, String name, String license, boolean gpl, boolean sigOk) {
        if (!gpl)
            out.add(Finding.warning("taint", "module license '" + (license == null ? "unspecified" : license)
                    + "' taints kernel (P): the kernel loads it, but GPL-only exports are refused to it"));
        if (ko.modinfo("intree") == null)
            out.add(Finding.warning("taint", "loading out-of-tree module taints kernel (O): " + name
                    + " was not built in the kernel's tree"));
        if (ko.modinfo("staging") != null)
            out.add(Finding.warning("taint", "module is from the staging directory, the quality is unknown (C)"));
        if (ko.modinfo("test") != null) out.add(Finding.warning("taint", "loading test module taints kernel (N)"));
        if (!sigOk && k.sigEnforced() != null && !k.sigEnforced())
            out.add(Finding.warning("taint", "module verification failed: signature and/or required key missing"
                    + " - tainting kernel (E)"));
    }

    private void params(KoFile ko, byte[] body, String name) {
        String args;
        try {
            args = ParamString.join(req.params());
        } catch (ParamString.BadParameterException e) {
            out.add(Finding.error("param", e.getMessage()));
            return;
        }
        ParamCheck.check(name, args, ParamDecls.of(ko, body), ko.is64(), out);
    }
}
