package org.modutils.insmod.modern.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modutils.insmod.modern.Compression;
import org.modutils.insmod.modern.KoFile;

/**
 * A kernel's installed module tree (/lib/modules/RELEASE): who exports what (modules.symbols,
 * as depmod wrote it), where each module is and what it needs (modules.dep), and one module of
 * the kernel's own build to learn its vermagic and struct module size from.
 */
public final class ModuleTree {
    /** What a module of the kernel's own build says about the kernel. */
    public record Reference(Path path, String vermagic, long thisModuleSize) {}

    private final Path dir;
    private Map<String, String> depPath;   // module name -> path relative to dir
    private Map<String, List<String>> deps; // module name -> its dependencies' names
    private Map<String, String> symbolOwner;
    private Reference reference;
    private boolean referenceRead;

    ModuleTree(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    private void readDep() {
        if (depPath != null) return;
        depPath = new HashMap<>();
        deps = new HashMap<>();
        String text = KernelView.readText(dir.resolve("modules.dep"));
        if (text == null) return;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String rel = line.substring(0, colon).trim();
            String name = nameOf(rel);
            depPath.putIfAbsent(name, rel);
            List<String> d = new ArrayList<>();
            for (String dep : line.substring(colon + 1).trim().split("\\s+")) if (!dep.isEmpty()) d.add(nameOf(dep));
            deps.putIfAbsent(name, d);
        }
    }

    /** "kernel/lib/crc-itu-t.ko.xz" -> "crc_itu_t". */
    static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int dot = base.indexOf(".ko");
        return KernelView.normalize(dot > 0 ? base.substring(0, dot) : base);
    }

    /** The path of the installed module NAME, or null. */
    public Path path(String name) {
        readDep();
        String rel = depPath.get(KernelView.normalize(name));
        return rel == null ? null : rel.startsWith("/") ? Path.of(rel) : dir.resolve(rel);
    }

    /** The modules NAME needs loaded first, as modules.dep lists them (empty when unknown). */
    public List<String> dependencies(String name) {
        readDep();
        List<String> d = deps.get(KernelView.normalize(name));
        return d == null ? List.of() : d;
    }

    /** The installed module exporting {@code symbol} (modules.symbols), or null. */
    public String exporter(String symbol) {
        if (symbolOwner == null) {
            symbolOwner = new HashMap<>();
            String text = KernelView.readText(dir.resolve("modules.symbols"));
            if (text != null) {
                for (String line : text.split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 3 && f[0].equals("alias") && f[1].startsWith("symbol:"))
                        symbolOwner.putIfAbsent(f[1].substring(7), f[2]);
                }
            }
        }
        return symbolOwner.get(symbol);
    }

    /** The file name a module has in the tree ("crc-itu-t" for crc_itu_t), else its name. */
    public String displayName(String name) {
        Path p = path(name);
        if (p == null) return name;
        String base = p.getFileName().toString();
        int dot = base.indexOf(".ko");
        return dot > 0 ? base.substring(0, dot) : base;
    }

    /** The first readable module of modules.dep, as a sample of the kernel's build; null if none. */
    public Reference reference() {
        if (referenceRead) return reference;
        referenceRead = true;
        readDep();
        int tried = 0;
        for (String rel : depPath.values()) {
            if (++tried > 8) break;
            Path p = rel.startsWith("/") ? Path.of(rel) : dir.resolve(rel);
            KoFile ko = load(p);
            if (ko == null) continue;
            KoFile.Section mod = ko.section(".gnu.linkonce.this_module");
            String vm = ko.modinfo("vermagic");
            if (vm == null || mod == null) continue;
            reference = new Reference(p, vm, mod.size());
            break;
        }
        return reference;
    }

    /** An installed module parsed, or null when it cannot be read. */
    static KoFile load(Path p) {
        try {
            byte[] b = Files.readAllBytes(p);
            return KoFile.parse(Compression.detect(b).decompress(b));
        } catch (IOException | KoFile.BadModuleException | RuntimeException e) {
            return null;
        }
    }

    /**
     * CRCs of {@code wanted} symbols as the installed modules were built against them (their
     * __versions): the kernel's CRCs when no Module.symvers exists. Reads modules until every
     * wanted symbol is found or {@code maxModules} were read.
     */
    public Map<String, Long> crcsFromModules(java.util.Set<String> wanted, int maxModules) {
        readDep();
        Map<String, Long> out = new HashMap<>();
        int read = 0;
        for (String rel : depPath.values()) {
            if (out.size() == wanted.size() || read++ >= maxModules) break;
            KoFile ko = load(rel.startsWith("/") ? Path.of(rel) : dir.resolve(rel));
            if (ko == null) continue;
            for (KoFile.Version v : ko.versions())
                if (wanted.contains(v.name())) out.putIfAbsent(v.name(), v.crc());
        }
        return out;
    }
}
