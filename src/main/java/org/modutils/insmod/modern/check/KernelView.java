package org.modutils.insmod.modern.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * What a dry run knows about the kernel that would load the module: the running one (from /proc,
 * /sys, /lib/modules and the installed headers) or a target described by files copied from it.
 * Every fact is read on first use; a fact that has no source is null, and the checks say so.
 */
public final class KernelView {

    /**
     * Where the facts come from; a null path means "no such source".
     *
     * @param release     uname -r of the kernel
     * @param machine     uname -m of the kernel
     * @param kallsyms    a /proc/kallsyms (exports of the kernel and of loaded modules)
     * @param modules     a /proc/modules (loaded modules)
     * @param symvers     Module.symvers of the kernel's build (CRCs, GPL-only exports), maybe gzipped
     * @param moduleDir   the kernel's /lib/modules/RELEASE tree (modules.dep, modules.symbols)
     * @param sigEnforce  the sig_enforce parameter file, or null
     * @param sigEnforced forced answer for signature enforcement (offline), or null to read sigEnforce
     * @param lockdown    /sys/kernel/security/lockdown, or null
     * @param keys        /proc/keys (the keys the kernel trusts, as far as this user may see)
     */
    public record Sources(String release, String machine, Path kallsyms, Path modules, Path symvers, Path moduleDir,
                          Path sigEnforce, Boolean sigEnforced, Path lockdown, Path keys) {}

    /** An exported symbol: who exports it, and whether only to GPL-compatible modules (null: unknown). */
    public record Export(String owner, Boolean gplOnly) {}

    /** An installed module that exports a symbol: its name and path. */
    public record Provider(String name, Path path) {}

    private final Sources src;
    private Map<String, Export> exports;
    private Set<String> loaded;
    private Symvers symvers;
    private boolean symversRead;
    private ModuleTree tree;
    private boolean noModules;

    public KernelView(Sources src) {
        this.src = src;
    }

    /** True when this is the running kernel and it has no module support (no /proc/modules). */
    public boolean lacksModuleSupport() {
        return noModules;
    }

    /** The running kernel, with the sources an ordinary system has. */
    public static KernelView running() {
        String release = readTrimmed(Path.of("/proc/sys/kernel/osrelease"));
        String machine = machineOfJvm();
        Path moduleDir = release == null ? null : Path.of("/lib/modules", release);
        KernelView v = new KernelView(new Sources(release, machine, Path.of("/proc/kallsyms"), Path.of("/proc/modules"),
                release == null ? null : findSymvers(release, moduleDir), moduleDir,
                Path.of("/sys/module/module/parameters/sig_enforce"), null,
                Path.of("/sys/kernel/security/lockdown"), Path.of("/proc/keys")));
        v.noModules = Files.isDirectory(Path.of("/proc/self")) && !Files.exists(Path.of("/proc/modules"));
        return v;
    }

    private static String machineOfJvm() {
        String a = System.getProperty("os.arch", "");
        switch (a) {
            case "amd64": return "x86_64";
            case "x86": case "i386": return "i686";
            default: return a.isEmpty() ? null : a;
        }
    }

    /** Module.symvers of the installed headers (Debian, Ubuntu, Arch), else the one in /boot (Fedora, SUSE). */
    static Path findSymvers(String release, Path moduleDir) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("/usr/src/linux-headers-" + release, "Module.symvers"));
        if (moduleDir != null) candidates.add(moduleDir.resolve("build/Module.symvers"));
        candidates.add(Path.of("/usr/src/kernels/" + release, "Module.symvers"));
        candidates.add(Path.of("/boot/symvers-" + release + ".gz"));
        candidates.add(Path.of("/boot/symvers-" + release + ".xz"));
        for (Path p : candidates) if (Files.isReadable(p)) return p;
        return null;
    }

    public Sources sources() {
        return src;
    }

    public String release() {
        return src.release();
    }

    public String machine() {
        return src.machine();
    }

    /** Names of loaded modules, or null when there is no source. */
    public Set<String> loadedModules() {
        if (loaded == null) loaded = readLoaded();
        return loaded.isEmpty() && src.modules() == null && src.kallsyms() == null ? null : loaded;
    }

    private Set<String> readLoaded() {
        Set<String> out = procModules();
        if (src.modules() != null && KernelView.readText(src.modules()) != null) return out;
        for (Export e : exports().values()) if (!e.owner().equals("vmlinux")) out.add(e.owner());
        return out;
    }

    /** Exports of the kernel and loaded modules (empty when nothing says). */
    public Map<String, Export> exports() {
        if (exports == null) exports = Kallsyms.exports(readText(src.kallsyms()), symvers(), procModules());
        return exports;
    }

    /** Whether some source of exports exists at all. */
    public boolean hasExports() {
        return !exports().isEmpty();
    }

    /** The names in /proc/modules (empty when there is none). */
    private Set<String> procModules() {
        Set<String> out = new LinkedHashSet<>();
        String text = readText(src.modules());
        if (text == null) return out;
        for (String line : text.split("\n")) {
            int sp = line.indexOf(' ');
            String name = (sp < 0 ? line : line.substring(0, sp)).trim();
            if (!name.isEmpty()) out.add(name);
        }
        return out;
    }

    /** Module.symvers, or null when there is none. */
    public Symvers symvers() {
        if (!symversRead) {
            symversRead = true;
            String text = readText(src.symvers());
            symvers = text == null ? null : Symvers.parse(text, src.symvers().toString());
        }
        return symvers;
    }

    /** The installed module tree, or null. */
    public ModuleTree tree() {
        if (tree == null && src.moduleDir() != null && Files.isDirectory(src.moduleDir()))
            tree = new ModuleTree(src.moduleDir());
        return tree;
    }

    /** True/false when the kernel's signature enforcement is known, else null. */
    public Boolean sigEnforced() {
        if (src.sigEnforced() != null) return src.sigEnforced();
        String v = readTrimmed(src.sigEnforce());
        return v == null ? null : v.equals("Y") || v.equals("1");
    }

    /** The active lockdown mode ("integrity", "confidentiality"), "none", or null when unknown. */
    public String lockdown() {
        String v = readTrimmed(src.lockdown());
        if (v == null) return null;
        int a = v.indexOf('['), b = v.indexOf(']');
        return a >= 0 && b > a ? v.substring(a + 1, b) : null;
    }

    /** Descriptions of the asymmetric keys this user can see in /proc/keys, or null when unreadable. */
    public List<String> keys() {
        String text = readText(src.keys());
        if (text == null) return null;
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+", 9);
            if (f.length == 9 && f[7].startsWith("asymmetri")) out.add(f[8]);
        }
        return out;
    }

    static String readTrimmed(Path p) {
        String s = readText(p);
        return s == null ? null : s.trim();
    }

    /** A text file (gzip by magic), or null when absent or unreadable. */
    static String readText(Path p) {
        if (p == null) return null;
        try {
            byte[] b = Files.readAllBytes(p);
            if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
                    b = in.readAllBytes();
                }
            } else if (p.toString().endsWith(".xz")) {
                b = org.modutils.insmod.modern.Compression.detect(b).decompress(b);
            }
            return new String(b, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Module names compare with '-' and '_' alike, as the kernel's do. */
    static String normalize(String name) {
        return name.replace('-', '_');
    }
}
