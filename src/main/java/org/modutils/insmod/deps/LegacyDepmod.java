package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.modutils.insmod.link.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.modern.Compression;

/**
 * modutils 2.4's depmod: the kernel's exports from a System.map or a /proc/ksyms copy, each
 * object's exports and needs read through our 2.4 object loader (symbols in modutils' hash
 * order), needs resolved whenever the objects' directory changes and at the end, each to the
 * oldest definition (the kernel before any module; with a symbol file, a {@code _R<crc>}
 * suffix may be ignored), then modules.dep in 2.4's layout and the seven map files read from
 * the objects' device tables ({@link LegacyTables}).
 */
public final class LegacyDepmod {
    /**
     * What was asked: objects in order, the kernel symbol file (or null), the base directory,
     * and without a file the running 2.4 kernel's exported names (or null when it is not one).
     */
    public record Request(List<String> objects, String ksymsFile, String baseDir, boolean showErrors,
                          boolean quiet, boolean unresolvedError, List<String> runningKernel) {
        public Request {
            objects = List.copyOf(objects);
            runningKernel = runningKernel == null ? null : List.copyOf(runningKernel);
        }

        public Request(List<String> objects, String ksymsFile, String baseDir, boolean showErrors, boolean quiet,
                       boolean unresolvedError) {
            this(objects, ksymsFile, baseDir, showErrors, quiet, unresolvedError, null);
        }
    }

    /** The generated files in modutils' order (modules.dep first), as the suffix of "modules.". */
    public static final List<String> FILES = List.of("dep", "generic_string", "pcimap", "isapnpmap", "usbmap",
            "parportmap", "ieee1394map", "pnpbiosmap");

    /**
     * modules.dep's text, the error lines (without "depmod: "), the exit status, the texts of
     * {@link #FILES} in that order, and the names -v shows (one per modules.dep entry).
     */
    public record Result(String dep, List<String> errors, int status, List<String> files, List<String> shown) {
        /** Everything on one stream, as {@code depmod -n} writes it. */
        public String all() {
            return String.join("", files);
        }
    }

    private static final String KERNEL = "-";
    private static final String[] HEADERS = {
        "# module             id=string\n",
        "# pci module         vendor     device     subvendor  subdevice  class      class_mask driver_data\n",
        "# isapnp module      cardvendor carddevice driver_data vendor     function   ...\n",
        "# usb module         match_flags idVendor idProduct bcdDevice_lo bcdDevice_hi bDeviceClass bDeviceSubClass"
            + " bDeviceProtocol bInterfaceClass bInterfaceSubClass bInterfaceProtocol driver_info\n",
        "# module             pattern\n",
        "# ieee1394 module    match_flags vendor_id model_id specifier_id version\n",
        "# module             id\n",
    };

    /** A needed symbol: its name, the name without a genksyms suffix (or null), and its owner once resolved. */
    private static final class Need {
        final String name;
        final String bare;
        String owner;

        Need(String name, String bare) {
            this.name = name;
            this.bare = bare;
        }
    }

    private record Module(String name, List<Need> needs, LegacyTables tables) {}

    private final Map<String, String> owners = new HashMap<>();
    private final List<Module> modules = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private boolean ignoreSuffix;
    private String currdir;

    private LegacyDepmod() {}

    public static Result run(Request req) {
        LegacyDepmod d = new LegacyDepmod();
        d.ignoreSuffix = req.ksymsFile() != null;
        d.define("mod_use_count_", KERNEL);
        d.define("__this_module", KERNEL);
        if (req.ksymsFile() != null && !d.kernelSymbols(req.ksymsFile())) {
            return new Result("", d.errors, 1, List.of(), List.of());
        }
        if (req.ksymsFile() == null && req.runningKernel() != null) {
            for (String name : req.runningKernel()) d.define(name.startsWith("GPLONLY_") ? name.substring(8) : name, KERNEL);
        }
        for (String o : req.objects()) d.load(o);
        d.resolve();
        return d.print(req);
    }

    /** The oldest definition of a name wins, as modutils' resolve() takes the last in the hash chain. */
    private void define(String name, String module) {
        owners.putIfAbsent(name, module);
    }

    /** modutils' resolve(): every need still open, by exact name, then without its suffix. */
    private void resolve() {
        for (int i = modules.size() - 1; i >= 0; i--) {
            for (Need n : modules.get(i).needs()) {
                if (n.owner != null) continue;
                n.owner = owners.get(n.name);
                if (n.owner == null && n.bare != null) n.owner = owners.get(n.bare);
            }
        }
    }

    /** The name without a trailing {@code _R...xxxxxxxx} genksyms suffix, or null. */
    private String bare(String name) {
        if (!ignoreSuffix) return null;
        int r = name.indexOf("_R");
        if (r < 0) return null;
        for (int p = name.indexOf("_R", r + 2); p >= 0; p = name.indexOf("_R", p + 2)) r = p;
        int l = name.length() - r;
        if (l < 10) return null;
        for (int i = name.length() - 8; i < name.length(); i++) {
            if (Character.digit(name.charAt(i), 16) < 0) return null;
        }
        return name.substring(0, r);
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
        Optional<ObjFile> read = read(path);
        if (read.isEmpty()) return;
        ObjFile f = read.get();
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        if (!dir.equals(currdir)) {
            if (currdir != null) resolve();
            currdir = dir;
        }
        LinkSection ksymtab = f.find("__ksymtab");
        boolean is22 = ksymtab != null || f.find(".modinfo") != null || f.findSymbol("__this_module") != null;
        List<Need> needs = new ArrayList<>();
        for (org.modutils.insmod.link.Sym s : f.symbols().ordered()) {
            int bind = s.info >> 4;
            if (s.secidx == Elf.SHN_UNDEF) {
                if (bind != Elf.STB_WEAK && s.rType != 0) needs.add(new Need(s.name, bare(s.name)));
            } else if (is22 && ksymtab != null) {
                if (s.secidx == ksymtab.index && bind == Elf.STB_GLOBAL && s.name.startsWith("__ksymtab_"))
                    define(s.name.substring(10), path);
            } else if (is22) {
                if (bind == Elf.STB_GLOBAL && f.target.exportAllByDefault()) define(s.name, path);
            } else if (s.secidx < Elf.SHN_LORESERVE) {
                define(s.name, path);
            }
        }
        modules.add(new Module(path, needs, LegacyTables.read(f, path, errors)));
    }

    /** The object loaded and its GOT sized; empty when it cannot be (the reason is in {@code errors}, or none for a missing file). */
    private Optional<ObjFile> read(String path) {
        ObjFile f;
        try {
            byte[] data = Files.readAllBytes(Path.of(path));
            data = Compression.detect(data).decompress(data);
            ElfFile elf = ElfFile.parse(path, data);
            Target t = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
            if (t == null) {
                errors.add(path + ": unsupported machine " + elf.machine());
                return Optional.empty();
            }
            f = ObjLoader.load(elf, t);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            return Optional.empty(); // gzf_open failed: modutils skips the name without a word
        } catch (IOException e) {
            errors.add(path + ": " + DepmodLog.reason(e));
            return Optional.empty();
        } catch (ElfException e) {
            errors.add(e.getMessage());
            return Optional.empty();
        }
        try {
            f.target.createGot(f);
        } catch (org.modutils.insmod.report.UserError e) {
            errors.addAll(e.lines());
            return Optional.empty();
        }
        return Optional.of(f);
    }

    private Result print(Request req) {
        StringBuilder sb = new StringBuilder();
        List<String> shown = new ArrayList<>();
        int status = 0;
        int skip = req.baseDir().length();
        for (Module m : modules) {
            List<String> deps = new ArrayList<>();
            boolean reported = false;
            for (Need need : m.needs()) {
                String owner = need.owner;
                if (owner == null) {
                    if (!req.quiet() && !reported) errors.add("*** Unresolved symbols in " + m.name());
                    if (!req.quiet() && req.showErrors()) errors.add("\t" + need.name);
                    reported = true;
                    if (req.unresolvedError()) status = 1;
                    continue;
                }
                if (owner.equals(KERNEL) || owner.equals(m.name()) || deps.contains(owner)) continue;
                deps.add(owner);
            }
            shown.add(cut(m.name(), skip));
            sb.append(cut(m.name(), skip)).append(':');
            for (int i = 0; i < deps.size(); i++) {
                if (i != 0) sb.append(" \\\n");
                sb.append('\t').append(cut(deps.get(i), skip));
            }
            sb.append("\n\n");
        }
        List<String> files = new ArrayList<>();
        files.add(sb.toString());
        for (int k = 0; k < LegacyTables.KINDS; k++) files.add(map(k));
        return new Result(sb.toString(), errors, status, files, shown);
    }

    /** One map file: its header, then per module with entries "%-20s " and the entry's columns. */
    private String map(int kind) {
        StringBuilder b = new StringBuilder(HEADERS[kind]);
        for (Module m : modules) {
            if (m.tables() == null) continue;
            String name = shortname(m.name());
            for (String line : m.tables().lines.get(kind)) {
                b.append(String.format("%-20s ", name));
                if (kind == LegacyTables.GENERIC) {
                    int l = 4095 - (Math.max(name.length(), 20) + 1);
                    b.append(line.length() > l ? line.substring(0, l) : line);
                } else {
                    b.append(line);
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** The basename without ".gz", then without ".o" (or ".mod"); a name without '/' stays whole. */
    static String shortname(String name) {
        int slash = name.lastIndexOf('/');
        if (slash < 0) return name;
        String s = name.substring(slash + 1);
        if (s.length() > 3 && s.endsWith(".gz")) s = s.substring(0, s.length() - 3);
        if (s.length() > 2 && s.endsWith(".o")) s = s.substring(0, s.length() - 2);
        else if (s.length() > 4 && s.endsWith(".mod")) s = s.substring(0, s.length() - 4);
        return s;
    }

    private static String cut(String name, int skip) {
        return name.length() >= skip ? name.substring(skip) : name;
    }
}
