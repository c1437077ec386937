package org.modutils.insmod.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a 2.4 {@code /proc/ksyms}: {@code "%0*lx %s\t[%s]\n"} for module symbols (newest module
 * first) and {@code "%0*lx %s\n"} for the kernel's own. /proc/ksyms has no struct module
 * addresses; the value of a module's {@code __insmod_<name>_O...} symbol is that address, so a
 * module without one is given address 0 (unknown).
 */
public final class ProcKsyms {
    private ProcKsyms() {}

    public static KernelSymbols parse(byte[] text) {
        Map<String, List<KernelSymbol>> modules = new LinkedHashMap<>();
        Map<String, Long> addresses = new LinkedHashMap<>();
        List<KernelSymbol> kernel = new ArrayList<>();
        String all = new String(text, StandardCharsets.ISO_8859_1);
        for (String line : all.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp <= 0)
                continue;
            long value;
            try {
                value = Long.parseUnsignedLong(line.substring(0, sp), 16);
            } catch (NumberFormatException e) {
                continue;
            }
            String rest = line.substring(sp + 1);
            String module = null;
            int tab = rest.indexOf('\t');
            if (tab >= 0 && rest.endsWith("]") && rest.startsWith("[", tab + 1)) {
                module = rest.substring(tab + 2, rest.length() - 1);
                rest = rest.substring(0, tab);
            }
            if (rest.isEmpty())
                continue;
            KernelSymbol sym = new KernelSymbol(value, rest);
            if (module == null) {
                kernel.add(sym);
                continue;
            }
            modules.computeIfAbsent(module, k -> new ArrayList<>()).add(sym);
            if (rest.startsWith("__insmod_" + module + "_O"))
                addresses.put(module, value);
        }
        List<LoadedModule> list = new ArrayList<>();
        modules.forEach((name, syms) -> list.add(new LoadedModule(name, addresses.getOrDefault(name, 0L), List.copyOf(syms))));
        return new KernelSymbols(List.copyOf(list), List.copyOf(kernel));
    }
}
