package org.modutils.insmod.module;

import java.nio.charset.StandardCharsets;

import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.link.Sym;
import org.modutils.insmod.link.SymbolNaming;
import org.modutils.insmod.report.UserError;

/** Kernel and module versions: the symbol version prefix, the version check, symbol checksums. */
final class Versions {
    private static final int STRVERSIONLEN = 32;

    private Versions() {}

    /** The version the module was built for: its text (cut to 32) and a.b.c as one number, -1 if unparsable. */
    record ModuleVersion(String text, int code) {}

    /** -P, else set_ncv_prefix(NULL); the derived prefix is said under -v. */
    static String prefix(Session s) {
        if (s.req.prefix() != null) {
            return s.req.prefix();
        }
        String p = derivePrefix(s.ksyms, s.req.kernel().version());
        if (s.req.verbose()) {
            s.log.info("Symbol version prefix '" + p + "'");
        }
        return p;
    }

    /**
     * The version correspondence check; with -f a mismatch is a warning. When module and kernel
     * disagree about symbol checksums, the module's symbols lose their version suffix.
     */
    static void check(Session s) throws UserError {
        String kStr = truncate(s.req.kernel().release());
        ModuleVersion mv = moduleVersion(s);
        if (mv == null || mv.code() == -1) {
            throw new UserError("couldn't find the kernel version the module was compiled for");
        }
        int kCrcs = kernelChecksummed(s.ksyms);
        int mCrcs = moduleChecksummed(s);
        if ((mCrcs == 0 || kCrcs == 0) && !versionsAgree(s.req, kStr, mv.text())) {
            String what = s.req.fileName() + " was compiled for kernel version " + mv.text()
                    + "\n\twhile this kernel is version " + kStr;
            if (!s.req.has(LoadRequest.Option.FORCE)) {
                if (s.req.has(LoadRequest.Option.QUIET)) {
                    throw UserError.reported();
                }
                throw new UserError("kernel-module version mismatch\n\t" + what + ".");
            }
            s.log.info("Warning: kernel-module version mismatch\n\t" + what);
            s.warnings++;
        }
        if (mCrcs != kCrcs) {
            s.f.symbols().rename(SymbolNaming.unversioned(s.prefix, s.f.wide));
        }
    }

    static String truncate(String v) {
        return v.length() > STRVERSIONLEN ? v.substring(0, STRVERSIONLEN) : v;
    }

    /** strncmp(k, m, 32) == 0, or with -N only the numeric a.b.c parts. */
    private static boolean versionsAgree(LoadRequest req, String k, String m) {
        if (req.has(LoadRequest.Option.NUMERIC_VERSION)) {
            return numericPart(k).equals(numericPart(m));
        }
        return k.equals(m);
    }

    private static String numericPart(String v) {
        int i = 0;
        while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
        }
        return v.substring(0, i);
    }

    /** set_ncv_prefix(NULL): from get_module_symbol_R / inter_module_get_R, else smp_ from uname -v. */
    static String derivePrefix(KernelSymbols ksyms, String utsVersion) {
        for (KernelSymbol s : ksyms.kernel()) {
            String p = prefixOf(s.name(), "get_module_symbol_R");
            if (p == null) {
                p = prefixOf(s.name(), "inter_module_get_R");
            }
            if (p != null) {
                return p;
            }
        }
        int sp = utsVersion.indexOf(' ');
        if (sp >= 0 && sp + 1 < utsVersion.length() && utsVersion.startsWith("SMP ", sp + 1)) {
            return "smp_";
        }
        return "";
    }

    /** The prefix in {@code name} = well-known + prefix + 8 hex digits, or null. */
    private static String prefixOf(String name, String wellKnown) {
        int l = name.length();
        int m = wellKnown.length();
        if (m + 8 > l || !name.startsWith(wellKnown) || l - m - 8 > 255) {
            return null;
        }
        CNum.Parsed p = CNum.strtoul(name, l - 8, 16, true);
        return p.end() == l ? name.substring(m, l - 8) : null;
    }

    /**
     * get_module_version: kernel_version from .modinfo, else the kernel_version symbol (2.0);
     * null when there is neither. Notes in the session which of the two it was.
     */
    static ModuleVersion moduleVersion(Session s) {
        String p = ModInfo.get(s.f, "kernel_version");
        s.hasModinfo = p != null;
        if (p == null) {
            p = versionSymbol(s);
            if (p == null) {
                return null;
            }
        }
        return new ModuleVersion(truncate(p), parseVersion(p));
    }

    /** The string the 2.0 kernel_version symbol points at, or null. */
    private static String versionSymbol(Session s) {
        Sym sym = s.f.findSymbol("kernel_version");
        if (sym == null) {
            sym = s.f.findSymbol("__module_kernel_version");
        }
        if (sym == null || sym.secidx >= s.f.sectionCount() || s.f.section(sym.secidx).contents() == null) {
            return null;
        }
        byte[] c = s.f.section(sym.secidx).contents();
        int at = (int) sym.value;
        if (at < 0 || at >= c.length) {
            return null;
        }
        int e = at;
        while (e < c.length && c[e] != 0) {
            e++;
        }
        return new String(c, at, e - at, StandardCharsets.ISO_8859_1);
    }

    /** a.b.c as a << 16 | b << 8 | c, or -1. */
    static int parseVersion(String p) {
        CNum.Parsed a = CNum.strtoul(p, 0, 10, true);
        int i = a.end();
        if (i >= p.length() || p.charAt(i) != '.') {
            return -1;
        }
        CNum.Parsed b = CNum.strtoul(p, i + 1, 10, true);
        i = b.end();
        if (i >= p.length() || p.charAt(i) != '.') {
            return -1;
        }
        CNum.Parsed c = CNum.strtoul(p, i + 1, 10, true);
        if (c.end() == i + 1) {
            return -1;
        }
        return (int) (a.value() << 16 | b.value() << 8 | c.value());
    }

    private static int kernelChecksummed(KernelSymbols ksyms) {
        for (KernelSymbol s : ksyms.kernel()) {
            if (s.name().equals("Using_Versions")) {
                return (int) s.value();
            }
        }
        return 0;
    }

    private static int moduleChecksummed(Session s) {
        if (s.hasModinfo) {
            String p = ModInfo.get(s.f, "using_checksums");
            return p == null ? 0 : (int) CNum.strtoul(p, 0, 10, false).value();
        }
        return s.f.findSymbol("Using_Versions") != null ? 1 : 0;
    }
}
