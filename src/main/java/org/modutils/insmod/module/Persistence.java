package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.SHT_PROGBITS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.StructModule;
import org.modutils.insmod.sys.IoReasons;

/** Persistent module data (the 'p' parameter modifier): the file, its values, the kernel's support. */
final class Persistence {
    private Persistence() {}

    /**
     * The persistent-data file for a module with 'p' parameters, as the original decides it:
     * -e FILE, or for -e "" persistdir plus the module's path relative to the module directory
     * it was found in (without .gz, .o or .mod). It must be absolute and needs ksymoops symbols.
     */
    static String file(Session s) {
        LoadRequest req = s.req;
        String name = req.persist();
        if (name == null) {
            return null;
        }
        String file = null;
        if (!name.isEmpty()) {
            file = name;
        } else if (req.persistDir() == null || req.persistDir().isEmpty()) {
            if (req.verbose()) {
                s.log.info("insmod: -e \"\" ignored, no persistdir");
                s.warnings++;
            }
            return null;
        } else {
            file = underPersistDir(req);
            if (file == null) {
                s.log.error("Cannot calculate persistent filename");
            }
        }
        if (file != null && !file.startsWith("/")) {
            s.log.error("Persistent filenames must be absolute, ignoring '" + file + "'");
            file = null;
        }
        if (file != null && !req.has(LoadRequest.Option.KSYMOOPS)) {
            s.log.error("has persistent data but ksymoops symbols are not available");
            file = null;
        }
        if (req.verbose()) {
            s.log.info(file != null ? "Persist filename '" + file + "'" : "No persistent filename available");
        }
        return file;
    }

    /** persistdir + the path below the module directory it was found in, or null. */
    private static String underPersistDir(LoadRequest req) {
        String fn = req.fileName();
        for (String dir : req.modulePaths()) {
            int j = dir.length();
            if (j < fn.length() && fn.startsWith(dir) && fn.charAt(j) == '/') {
                while (j < fn.length() && fn.charAt(j) == '/') {
                    j++;
                }
                return req.persistDir() + "/" + stripSuffixes(fn.substring(j));
            }
        }
        return null;
    }

    private static String stripSuffixes(String rel) {
        if (rel.length() > 3 && rel.endsWith(".gz")) {
            rel = rel.substring(0, rel.length() - 3);
        }
        if (rel.length() > 2 && rel.endsWith(".o")) {
            return rel.substring(0, rel.length() - 2);
        }
        if (rel.length() > 4 && rel.endsWith(".mod")) {
            return rel.substring(0, rel.length() - 4);
        }
        return rel;
    }

    /** The name=value lines of a persistent-data file ('#' comments), only for 'p' parameters. */
    static List<String> read(Session s, String file) {
        List<String> out = new ArrayList<>();
        byte[] data;
        try {
            data = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            if (s.req.verbose()) {
                s.log.info("Cannot open persist file '" + file + "' " + IoReasons.of(e));
            }
            return out;
        }
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            if (nl < 0 || nl - pos >= 2999) {
                s.log.error("Persistent data line is too long\n" + text.substring(pos, Math.min(text.length(), pos + 2999)));
                break;
            }
            String line = text.substring(pos, nl).stripLeading();
            pos = nl + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (out.size() == 1000) {
                s.log.error("More than 1000 persistent parameters");
                break;
            }
            if (persistent(s, line)) {
                out.add(line);
            }
        }
        return out;
    }

    /** Whether a line sets a parameter with the 'p' modifier (or one without a format). */
    private static boolean persistent(Session s, String line) {
        int eq = line.indexOf('=');
        String fmt = eq > 0 ? ModInfo.get(s.f, "parm_" + line.substring(0, eq)) : null;
        if (fmt != null && !fmt.endsWith("p")) {
            if (s.req.verbose()) {
                s.log.info("ignoring " + line);
            }
            return false;
        }
        return true;
    }

    /**
     * The original's check that the kernel can hand persistent data back: init_module with a
     * negative size_of_struct asks to read from the module instead of loading it. Returns false
     * (after saying so) when the kernel cannot.
     */
    static boolean kernelCanRead(Session s, long addr) {
        int size = s.target.moduleStructSize();
        byte[] probe = new byte[size + 4];
        LinkSection fake = new LinkSection(-1, ".probe", SHT_PROGBITS, 0, probe.length, 1);
        fake.setContents(probe);
        int w = s.target.wordSize();
        s.f.write(fake, StructModule.SIZE_OF_STRUCT.offset(s.target), w, -size);
        s.f.write(fake, StructModule.READ_START.offset(s.target), w, s.f.mask(addr + size));
        s.f.write(fake, StructModule.READ_END.offset(s.target), w, s.f.mask(addr + size + 4));
        try {
            s.kernel.initModule(s.req.moduleName(), probe);
            return true;
        } catch (KernelException e) {
            s.log.error("has persistent data but the kernel is too old to support it.  Expect errors during rmmod as well");
            return false;
        }
    }
}
