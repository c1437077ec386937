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
        String file = null;
        if (name == null) {
            file = null;
        } else if (!name.isEmpty()) {
            file = name;
        } else if (req.persistDir() == null || req.persistDir().isEmpty()) {
            if (req.verbose()) {
                s.log.info("insmod: -e \"\" ignored, no persistdir");
                s.warnings++;
            }
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

    /**
     * The name=value lines of a persistent-data file ('#' comments). As in the original, every
     * line is taken, also for parameters without the 'p' modifier, and a directory gives nothing
     * (its fopen succeeded and the first read ended the loop).
     */
    static List<String> read(Session s, String file) {
        List<String> out = new ArrayList<>();
        byte[] data;
        try {
            Path path = org.modutils.insmod.sys.FileNames.forReading(file);
            if (Files.isDirectory(path)) {
                return out;
            }
            data = Files.readAllBytes(path);
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
            int start = pos;
            while (start < nl && CNum.isSpace(text.charAt(start))) {
                start++; // C isspace(), not Java's wider whitespace
            }
            String line = text.substring(start, nl);
            pos = nl + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (out.size() == 1000) {
                s.log.error("More than 1000 persistent parameters");
                break;
            }
            out.add(line);
        }
        return out;
    }

    /** The persistent-file lines whose parameter was not given on the command line. */
    static List<String> notTyped(List<String> lines, List<String> args) {
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            int eq = line.indexOf('=');
            boolean typed = false;
            for (String a : args) {
                int aeq = a.indexOf('=');
                typed |= eq >= 0 && aeq == eq && a.regionMatches(0, line, 0, eq);
            }
            if (!typed) {
                out.add(line);
            }
        }
        return out;
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
