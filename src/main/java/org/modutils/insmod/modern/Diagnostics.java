package org.modutils.insmod.modern;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;

/**
 * Turns the kernel's errno for a failed load into the cause, in words, from what the module
 * file and /proc say. The first element is the cause for the headline (may be null), the rest
 * are detail lines.
 */
final class Diagnostics {
    private final Kernel kernel;
    private final KoFile ko;
    private final String name;
    private final boolean force;
    private final ModuleSignature signature;
    private final String signatureProblem;

    Diagnostics(Kernel kernel, KoFile ko, String name, boolean force, ModuleSignature signature, String signatureProblem) {
        this.kernel = kernel;
        this.ko = ko;
        this.name = name;
        this.force = force;
        this.signature = signature;
        this.signatureProblem = signatureProblem;
    }

    List<String> explain(int errno) {
        List<String> out = new ArrayList<>();
        switch (errno) {
            case Errno.EEXIST:
                out.add("module " + name + " is already loaded");
                break;
            case Errno.ENOENT:
                unknownSymbols(out);
                break;
            case Errno.ENOEXEC:
                out.add("the kernel rejected the module's format:");
                formatDetails(out);
                crcDetails(out);
                break;
            case Errno.EINVAL:
                out.add("the kernel rejected a parameter or a module header (see dmesg)");
                crcDetails(out);
                break;
            case Errno.EKEYREJECTED:
            case Errno.ENOKEY:
            case Errno.EBADMSG:
                signatureDetails(errno, out);
                break;
            case Errno.EPERM:
                permission(out);
                break;
            case Errno.ENOSYS:
                out.add("this kernel cannot load modules (built without CONFIG_MODULES?)");
                break;
            case Errno.EBUSY:
                out.add("the kernel is busy with a module of this name (still loading or unloading?)");
                break;
            default:
                out.add(null);
                out.add("see dmesg for the kernel's reason");
        }
        return out;
    }

    // ---- ENOENT: which symbols ----------------------------------------------------------------

    private record Kallsyms(Set<String> exported, Set<String> all, Set<String> inModules, Map<String, Long> absCrcs) {}

    private Kallsyms kallsyms() {
        byte[] b;
        try {
            b = kernel.readFile("/proc/kallsyms");
        } catch (KernelException e) {
            return null;
        }
        if (b == null) return null;
        Set<String> exported = new HashSet<>(), all = new HashSet<>(), mods = new HashSet<>();
        Map<String, Long> crcs = new HashMap<>();
        String text = new String(b, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int nl = text.indexOf('\n', at);
            if (nl < 0) nl = text.length();
            String line = text.substring(at, nl);
            at = nl + 1;
            // "<address> <type> <name>[\t[<module>]]"
            int s1 = line.indexOf(' ');
            int s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
            if (s2 < 0) continue;
            String rest = line.substring(s2 + 1);
            int tab = rest.indexOf('\t');
            String sym = tab < 0 ? rest : rest.substring(0, tab);
            char type = line.charAt(s1 + 1);
            if (tab >= 0) {
                mods.add(sym);
                continue;
            }
            all.add(sym);
            if (sym.startsWith("__ksymtab_")) exported.add(sym.substring("__ksymtab_".length()));
            if (sym.startsWith("__crc_") && (type == 'A' || type == 'a')) {
                try {
                    crcs.put(sym.substring(6), Long.parseUnsignedLong(line.substring(0, s1), 16) & 0xffffffffL);
                } catch (NumberFormatException ignored) {
                    // not a CRC then
                }
            }
        }
        return new Kallsyms(exported, all, mods, crcs);
    }

    private void unknownSymbols(List<String> out) {
        Kallsyms k = kallsyms();
        if (k == null) {
            out.add("unknown symbol in module (no /proc/kallsyms to say which; see dmesg)");
            return;
        }
        List<String> missing = new ArrayList<>();
        for (String sym : ko.undefinedSymbols()) {
            boolean available = k.exported().contains(sym) || k.inModules().contains(sym)
                    || (k.exported().isEmpty() && k.all().contains(sym));
            if (available) continue;
            missing.add(k.all().contains(sym) ? sym + " (in the kernel, but not exported to modules)" : sym);
        }
        if (missing.isEmpty()) {
            out.add("unknown symbol in module, yet every undefined symbol of the module is in /proc/kallsyms"
                    + " (a GPL-only export, or see dmesg)");
        } else {
            out.add("the module needs " + (missing.size() == 1 ? "a symbol" : missing.size() + " symbols")
                    + " missing from /proc/kallsyms:");
            for (String m : missing) out.add("  " + m);
        }
        crcDetails(out, k);
    }

    private void crcDetails(List<String> out) {
        Kallsyms k = kallsyms();
        if (k != null) crcDetails(out, k);
    }

    private void crcDetails(List<String> out, Kallsyms k) {
        if (k.absCrcs().isEmpty()) return;
        for (KoFile.Version v : ko.versions()) {
            Long have = k.absCrcs().get(v.name());
            if (have != null && have != v.crc())
                out.add(String.format("  symbol version mismatch: %s: module has 0x%08x, kernel has 0x%08x",
                        v.name(), v.crc(), have));
        }
    }

    // ---- ENOEXEC: vermagic and machine ---------------------------------------------------------

    private void formatDetails(List<String> out) {
        String release = kernel.release();
        String vermagic = ko.modinfo("vermagic");
        if (vermagic == null) {
            out.add("  the module has no vermagic in .modinfo");
        } else {
            String[] kernelMagic = kernelVermagic(release);
            String built = vermagic.split(" ", 2)[0];
            out.add("  module vermagic:  " + vermagic);
            if (kernelMagic != null) out.add("  kernel vermagic:  " + kernelMagic[0] + " (as in " + kernelMagic[1] + ")");
            out.add("  running release: " + release + (built.equals(release) ? "" : " -- the module was built for " + built));
            if (kernelMagic != null) {
                String mine = tail(vermagic), theirs = tail(kernelMagic[0]);
                if (!mine.equals(theirs))
                    out.add("  vermagic differs after the release: '" + mine + "' in the module, '" + theirs + "' in the kernel");
                else if (!built.equals(release) && !ko.versions().isEmpty())
                    out.add("  (with modversions the kernel checks symbol versions instead of the release; see dmesg)");
            }
        }
        String machine = null;
        try {
            machine = kernel.machine();
        } catch (KernelException ignored) {
            // unknown
        }
        String have = KoFile.machineName(ko.machine()) + ", " + (ko.is64() ? 64 : 32) + "-bit";
        int[] want = KoFile.expectedFor(machine);
        if (want == null) {
            out.add("  ELF machine:     " + have + " (host " + (machine == null ? "unknown" : machine) + ")");
        } else if (want[0] == ko.machine() && want[1] == (ko.is64() ? 64 : 32)) {
            out.add("  ELF machine:     " + have + ", as the host (" + machine + ") needs");
        } else {
            out.add("  ELF machine:     " + have + " -- the host (" + machine + ") needs "
                    + KoFile.machineName(want[0]) + ", " + want[1] + "-bit");
        }
        if (force)
            out.add("  -f was given: the kernel ignores vermagic only when built with CONFIG_MODULE_FORCE_LOAD");
    }

    private static String tail(String vermagic) {
        int sp = vermagic.indexOf(' ');
        return sp < 0 ? "" : vermagic.substring(sp + 1).trim();
    }

    /**
     * The running kernel's vermagic, as a module of its own build shows it: the first module
     * in /lib/modules/RELEASE/modules.dep. {vermagic, path} or null.
     */
    private String[] kernelVermagic(String release) {
        try {
            String dir = "/lib/modules/" + release + "/";
            byte[] dep = kernel.readFile(dir + "modules.dep");
            if (dep == null) return null;
            String text = new String(dep, 0, Math.min(dep.length, 4096), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon <= 0) return null;
            String rel = text.substring(0, colon).trim();
            String path = rel.startsWith("/") ? rel : dir + rel;
            byte[] b = kernel.readFile(path);
            if (b == null) return null;
            String vm = KoFile.parse(Compression.detect(b).decompress(b)).modinfo("vermagic");
            return vm == null ? null : new String[] {vm, path};
        } catch (KernelException | java.io.IOException | KoFile.BadModuleException | RuntimeException e) {
            return null;
        }
    }

    // ---- signatures -----------------------------------------------------------------------------

    private void signatureDetails(int errno, List<String> out) {
        out.add(errno == Errno.EBADMSG ? "the kernel could not parse the module's signature"
                : errno == Errno.ENOKEY ? "the kernel requires signed modules and has no key for this one"
                : "the kernel requires signed modules and rejected this one");
        String enforce = readTrimmed("/sys/module/module/parameters/sig_enforce");
        if ("Y".equals(enforce)) out.add("  signature enforcement is on (module.sig_enforce=1)");
        String lockdown = readTrimmed("/sys/kernel/security/lockdown");
        if (lockdown != null && lockdown.contains("[") && !lockdown.contains("[none]"))
            out.add("  kernel lockdown: " + lockdown);
        if (signatureProblem != null) {
            out.add("  the module's signature is unusable: " + signatureProblem);
        } else if (signature == null) {
            out.add("  the module carries no signature");
        } else {
            try {
                for (CmsSignature.Signer s : CmsSignature.signers(signature))
                    out.add("  the module is signed by " + s + "; the kernel must trust that key");
            } catch (ModuleSignature.BadSignatureException e) {
                out.add("  the module's signature is unusable: " + e.getMessage());
            }
        }
    }

    // ---- EPERM --------------------------------------------------------------------------------

    private void permission(List<String> out) {
        String status = readTrimmed("/proc/self/status");
        if (status != null) {
            for (String line : status.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("Uid:") && f.length > 2 && !f[2].equals("0")) {
                    out.add("insmod is not running as root (effective uid " + f[2] + ")");
                    return;
                }
                if (f[0].equals("CapEff:") && f.length > 1) {
                    try {
                        if ((Long.parseUnsignedLong(f[1], 16) & (1L << 16)) == 0) {
                            out.add("insmod lacks the CAP_SYS_MODULE capability (a container?)");
                            return;
                        }
                    } catch (NumberFormatException ignored) {
                        // skip
                    }
                }
            }
        }
        if ("1".equals(readTrimmed("/proc/sys/kernel/modules_disabled"))) {
            out.add("module loading is disabled until reboot (/proc/sys/kernel/modules_disabled is 1)");
            return;
        }
        out.add("the kernel refused although insmod runs as root (lockdown or a security module; see dmesg)");
    }

    private String readTrimmed(String path) {
        try {
            byte[] b = kernel.readFile(path);
            return b == null ? null : new String(b, StandardCharsets.UTF_8).trim();
        } catch (KernelException e) {
            return null;
        }
    }
}
