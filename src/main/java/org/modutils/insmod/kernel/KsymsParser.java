package org.modutils.insmod.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the 2.4 /proc/ksyms format: {@code addr name} for the kernel, {@code addr name\t[module]}
 * for a loaded module. Modules keep the order of their first line (the kernel lists the newest
 * first); a module's struct address is the value of its {@code __insmod_<module>_O...} symbol.
 */
public final class KsymsParser {
    private KsymsParser() {}

    /** Thrown for a line that is not in the format; the message names the line. */
    public static final class FormatException extends Exception {
        public FormatException(String message) {
            super(message);
        }
    }

    public static KernelSymbols parse(byte[] data) throws FormatException {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        List<KernelSymbol> kernel = new ArrayList<>();
        Map<String, List<KernelSymbol>> mods = new LinkedHashMap<>();
        int lineNo = 0;
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            String line = nl < 0 ? text.substring(pos) : text.substring(pos, nl);
            pos = nl < 0 ? text.length() : nl + 1;
            lineNo++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            int sp = line.indexOf(' ');
            if (sp <= 0) {
                throw new FormatException("line " + lineNo + ": expected 'address name'");
            }
            long value;
            try {
                value = Long.parseUnsignedLong(line.substring(0, sp), 16);
            } catch (NumberFormatException e) {
                throw new FormatException("line " + lineNo + ": bad address '" + line.substring(0, sp) + "'");
            }
            String rest = line.substring(sp + 1).stripLeading();
            String module = null;
            int tab = rest.indexOf('\t');
            int br = tab >= 0 ? tab : rest.indexOf(" [");
            if (br >= 0) {
                String m = rest.substring(br + 1).strip();
                if (!m.startsWith("[") || !m.endsWith("]") || m.length() < 3) {
                    throw new FormatException("line " + lineNo + ": bad module name '" + m + "'");
                }
                module = m.substring(1, m.length() - 1);
                rest = rest.substring(0, br);
            }
            if (rest.isEmpty() || rest.indexOf(' ') >= 0) {
                throw new FormatException("line " + lineNo + ": bad symbol name");
            }
            KernelSymbol s = new KernelSymbol(value, rest);
            if (module == null) {
                kernel.add(s);
            } else {
                mods.computeIfAbsent(module, k -> new ArrayList<>()).add(s);
            }
        }
        List<LoadedModule> modules = new ArrayList<>();
        for (Map.Entry<String, List<KernelSymbol>> e : mods.entrySet()) {
            String tag = "__insmod_" + e.getKey() + "_O";
            long addr = 0;
            for (KernelSymbol s : e.getValue()) {
                if (s.name().startsWith(tag)) {
                    addr = s.value();
                    break;
                }
            }
            modules.add(new LoadedModule(e.getKey(), addr, List.copyOf(e.getValue())));
        }
        return new KernelSymbols(List.copyOf(modules), List.copyOf(kernel));
    }
}
