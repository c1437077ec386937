package org.modutils.insmod.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the 2.4 {@code /proc/ksyms} format (also what {@code --ksyms=FILE} takes): one symbol per
 * line, {@code "<hex address> <name>"} for the kernel's own exports and
 * {@code "<hex address> <name>\t[<module>]"} for a loaded module's. Modules keep the order in
 * which they first appear. A module's struct address is the value of its
 * {@code __insmod_<module>_O...} symbol (the only place /proc/ksyms shows it), 0 without one.
 * Blank lines are skipped; anything else that does not fit is an error naming the line.
 */
public final class KsymsParser {
    private KsymsParser() {}

    public static KernelSymbols parse(byte[] text) throws KernelException {
        String s = new String(text, StandardCharsets.ISO_8859_1);
        List<KernelSymbol> kernel = new ArrayList<>();
        Map<String, List<KernelSymbol>> modules = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : s.split("\n", -1)) {
            lineNo++;
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isBlank()) continue;
            int sp = line.indexOf(' ');
            if (sp <= 0) throw bad(lineNo, line, "expected '<hex address> <name>'");
            long value;
            try {
                value = Long.parseUnsignedLong(line.substring(0, sp), 16);
            } catch (NumberFormatException e) {
                throw bad(lineNo, line, "'" + line.substring(0, sp) + "' is not a hex address");
            }
            String rest = line.substring(sp + 1);
            String module = null;
            int tab = rest.indexOf('\t');
            if (tab >= 0) {
                String tag = rest.substring(tab + 1).trim();
                rest = rest.substring(0, tab);
                if (tag.length() < 3 || tag.charAt(0) != '[' || tag.charAt(tag.length() - 1) != ']')
                    throw bad(lineNo, line, "expected '[module]' after the tab");
                module = tag.substring(1, tag.length() - 1);
            }
            String name = rest.trim();
            if (name.isEmpty() || name.indexOf(' ') >= 0) throw bad(lineNo, line, "expected one symbol name");
            KernelSymbol sym = new KernelSymbol(value, name);
            if (module == null || module.isEmpty()) kernel.add(sym);
            else modules.computeIfAbsent(module, m -> new ArrayList<>()).add(sym);
        }
        List<LoadedModule> loaded = new ArrayList<>();
        for (Map.Entry<String, List<KernelSymbol>> e : modules.entrySet()) {
            loaded.add(new LoadedModule(e.getKey(), address(e.getKey(), e.getValue()), List.copyOf(e.getValue())));
        }
        return new KernelSymbols(List.copyOf(loaded), List.copyOf(kernel));
    }

    /** A module's address: its {@code __insmod_NAME_O...} symbol's value, or 0. */
    private static long address(String module, List<KernelSymbol> symbols) {
        String prefix = "__insmod_" + module + "_O";
        for (KernelSymbol sym : symbols) {
            if (sym.name().startsWith(prefix)) {
                return sym.value();
            }
        }
        return 0;
    }

    private static KernelException bad(int lineNo, String line, String why) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return new KernelException("line " + lineNo + ": " + why + ": " + shown);
    }
}
