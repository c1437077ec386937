package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.arch.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.modern.Compression;

/**
 * modutils 2.4's depmod for modules named on the command line ({@code depmod -F System.map
 * a.o b.o.gz ...}): the kernel's exports from a System.map or a /proc/ksyms copy, each
 * object's exports and needs read through our 2.4 object loader (symbols in modutils' hash
 * order), a needed symbol resolved to its first definition (the kernel before any module),
 * and modules.dep in 2.4's layout. The tree mode (-a over modules.conf's paths) and the map
 * files are not here yet.
 */
public final class LegacyDepmod {
    /** What was asked: objects in order, the kernel symbol file (or null), the base directory. */
    public record Request(List<String> objects, String ksymsFile, String baseDir, boolean showErrors,
                          boolean quiet, boolean unresolvedError) {
        public Request {
            objects = List.copyOf(objects);
        }
    }

    /** modules.dep's text, the error lines (without "depmod: "), and the exit status. */
    public record Result(String dep, List<String> errors, int status) {}

    private static final String KERNEL = "-";

    private record Module(String name, List<String> needs) {}

    private final Map<String, String> owners = new HashMap<>();
    private final List<Module> modules = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    private LegacyDepmod() {}

    public static Result run(Request req) {
        LegacyDepmod d = new LegacyDepmod();
        d.define("mod_use_count_", KERNEL);
        d.define("__this_module", KERNEL);
        if (req.ksymsFile() != null && !d.kernelSymbols(req.ksymsFile())) return new Result("", d.errors, 1);
        for (String o : req.objects()) d.load(o);
        return d.print(req);
    }

    /** The first definition of a name wins, as modutils' resolve() takes the oldest in the chain. */
    private void define(String name, String module) {
        owners.putIfAbsent(name, module);
    }

    private boolean kernelSymbols(String file) {
        List<String> lines;
        try {
            lines = List.of(new String(Files.readAllBytes(Path.of(file)), StandardCharsets.ISO_8859_1).split("\n"));
        } catch (IOException e) {
            errors.add("Can't read " + file);
            return false;
        }
        if (lines.isEmpty() || lines.get(0).isEmpty() && lines.size() == 1) {
            errors.add("premature EOF on " + file);
            return false;
        }
        String[] first = lines.get(0).trim().split("[ \t]+");
        boolean mapfile = first.length >= 2 && first[1].length() == 1;
        for (String line : lines) {
            if (!mapfile && line.contains("[")) continue;
            String[] w = line.trim().split("[ \t]+");
            String name = mapfile ? mapName(w) : (w.length >= 2 ? w[1] : null);
            if (name == null || name.isEmpty()) continue;
            if (name.startsWith("GPLONLY_")) name = name.substring(8);
            define(name, KERNEL);
        }
        return true;
    }

    /** A System.map line's exported name: the __kstrtab_ (and sparc's dot and priv) forms. */
    private static String mapName(String[] w) {
        if (w.length < 3 || w[1].length() != 1) return null;
        String p = w[2];
        if (p.startsWith("__kstrtab___dot_")) return "." + p.substring(16);
        if (p.startsWith("__kstrtab___sparc_dot_")) return "." + p.substring(22);
        if (p.startsWith("__kstrtab_")) return p.substring(10);
        if (p.startsWith("__export_priv_")) return "__" + p.substring(14);
        return null;
    }

    private void load(String path) {
        ObjFile f;
        try {
            byte[] data = Files.readAllBytes(Path.of(path));
            data = Compression.detect(data).decompress(data);
            ElfFile elf = ElfFile.parse(path, data);
            Target t = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
            if (t == null) {
                errors.add(path + ": unsupported machine " + elf.machine());
                return;
            }
            f = ObjLoader.load(elf, t);
        } catch (IOException e) {
            errors.add(path + ": " + DepmodLog.reason(e));
            return;
        } catch (ElfException e) {
            errors.add(e.getMessage());
            return;
        }
        LinkSection ksymtab = f.find("__ksymtab");
        boolean is22 = ksymtab != null || f.find(".modinfo") != null || f.findSymbol("__this_module") != null;
        List<String> needs = new ArrayList<>();
        for (org.modutils.insmod.link.Sym s : f.symbols().ordered()) {
            int bind = s.info >> 4;
            if (s.secidx == Elf.SHN_UNDEF) {
                if (bind != Elf.STB_WEAK && s.rType != 0) needs.add(s.name);
            } else if (is22 && ksymtab != null) {
                if (s.secidx == ksymtab.index && bind == Elf.STB_GLOBAL && s.name.startsWith("__ksymtab_"))
                    define(s.name.substring(10), path);
            } else if (is22) {
                if (bind == Elf.STB_GLOBAL && f.target.exportAllByDefault()) define(s.name, path);
            } else if (s.secidx < Elf.SHN_LORESERVE) {
                define(s.name, path);
            }
        }
        modules.add(new Module(path, needs));
    }

    private Result print(Request req) {
        StringBuilder sb = new StringBuilder();
        int status = 0;
        int skip = req.baseDir().length();
        for (Module m : modules) {
            List<String> deps = new ArrayList<>();
            boolean reported = false;
            for (String need : m.needs()) {
                String owner = owners.get(need);
                if (owner == null) {
                    if (!req.quiet() && !reported) errors.add("*** Unresolved symbols in " + m.name());
                    if (!req.quiet() && req.showErrors()) errors.add("\t" + need);
                    reported = true;
                    if (req.unresolvedError()) status = 1;
                    continue;
                }
                if (owner.equals(KERNEL) || owner.equals(m.name()) || deps.contains(owner)) continue;
                deps.add(owner);
            }
            sb.append(cut(m.name(), skip)).append(':');
            for (int i = 0; i < deps.size(); i++) {
                if (i != 0) sb.append(" \\\n");
                sb.append('\t').append(cut(deps.get(i), skip));
            }
            sb.append("\n\n");
        }
        return new Result(sb.toString(), errors, status);
    }

    private static String cut(String name, int skip) {
        return name.length() >= skip ? name.substring(skip) : name;
    }
}
