package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's own exports for depmod -F (a System.map: every {@code __ksymtab_NAME} symbol)
 * and -E (a Module.symvers: the vmlinux lines, with their CRCs), plus the symbols the kernel
 * loader supplies itself.
 */
final class KernelSymbols {
    private static final String KSYMTAB = "__ksymtab_";

    private KernelSymbols() {}

    static void systemMap(ModuleDeps d, String file) throws DepmodException {
        String text = read(file);
        int linenum = 0;
        for (String line : lines(text)) {
            linenum++;
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (b < 0) {
                d.log.error(file + ":" + linenum + ": invalid line: " + line);
                continue;
            }
            String p = line.substring(b + 1);
            if (d.req.symPrefix() != 0 && !p.isEmpty() && p.charAt(0) == d.req.symPrefix()) p = p.substring(1);
            if (!p.startsWith(KSYMTAB)) continue;
            int nl = p.indexOf('\n');
            if (nl >= 0) p = p.substring(0, nl);
            d.addSymbol(p.substring(KSYMTAB.length()), true, 0, null);
        }
        fakes(d);
    }

    static void symvers(ModuleDeps d, String file) throws DepmodException {
        String text = read(file);
        int linenum = 0;
        for (String line : lines(text)) {
            linenum++;
            String[] w = line.replace("\n", "").trim().split("[ \t]+");
            if (w.length < 3 || !w[2].equals("vmlinux")) continue;
            String ver = w[0];
            String hex = ver.startsWith("0x") || ver.startsWith("0X") ? ver.substring(2) : ver;
            long crc;
            try {
                crc = Long.parseUnsignedLong(hex, 16);
            } catch (NumberFormatException e) {
                d.log.error(file + ":" + linenum + " Invalid symbol version " + ver + ": Success");
                continue;
            }
            d.addSymbol(w[1], false, crc, null);
        }
        fakes(d);
    }

    /** Symbols the kernel's loader provides without exporting them. */
    private static void fakes(ModuleDeps d) {
        d.addSymbol("__this_module", true, 0, null);
        d.addSymbol("_GLOBAL_OFFSET_TABLE_", true, 0, null);
        if (d.findSymbol("TOC.") == null) d.addSymbol("TOC.", true, 0, null);
    }

    private static String read(String file) throws DepmodException {
        try {
            return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new DepmodException("could not load " + file + ": " + DepmodLog.reason(e), true);
        }
    }

    /** Lines as fgets gives them: each keeps its newline (the last may lack one). */
    private static java.util.List<String> lines(String text) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) out.add(text.substring(start));
        return out;
    }
}
