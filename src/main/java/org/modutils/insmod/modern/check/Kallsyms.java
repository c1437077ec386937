package org.modutils.insmod.modern.check;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The exports visible in /proc/kallsyms: {@code __ksymtab_NAME} entries of the kernel and of the
 * loaded modules ({@code NAME<TAB>[module]}). Whether an export is GPL-only comes from
 * Module.symvers, else from the address of its {@code __ksymtab_} entry between
 * {@code __start___ksymtab_gpl} and {@code __stop___ksymtab_gpl} (root sees real addresses).
 */
final class Kallsyms {
    private static final String KSYMTAB = "__ksymtab_";

    private Kallsyms() {}

    static Map<String, KernelView.Export> exports(String text, Symvers symvers, Set<String> loadedModules) {
        Map<String, KernelView.Export> out = new HashMap<>();
        if (text != null) {
            fromKallsyms(text, symvers, out);
        } else if (symvers != null) {
            for (Map.Entry<String, Symvers.Entry> e : symvers.entries().entrySet()) {
                String owner = Symvers.moduleName(e.getValue().module());
                if (owner.equals("vmlinux") || (loadedModules != null && loadedModules.contains(owner)))
                    out.put(e.getKey(), new KernelView.Export(owner, e.getValue().gplOnly()));
            }
        }
        return out;
    }

    private static void fromKallsyms(String text, Symvers symvers, Map<String, KernelView.Export> out) {
        Scan scan = new Scan();
        int at = 0;
        while (at < text.length()) {
            int nl = text.indexOf('\n', at);
            if (nl < 0) nl = text.length();
            scan.line(text.substring(at, nl), symvers, out);
            at = nl + 1;
        }
        if (scan.kernelAddr.size() < 64) {
            // a kernel whose kallsyms does not list __ksymtab_ entries: its exports from Module.symvers,
            // else every global kernel symbol (whether exported is then not known)
            if (symvers != null) {
                for (Map.Entry<String, Symvers.Entry> e : symvers.entries().entrySet())
                    if (e.getValue().module().equals("vmlinux"))
                        out.put(e.getKey(), new KernelView.Export("vmlinux", e.getValue().gplOnly()));
            } else {
                for (String g : scan.globals) out.put(g, new KernelView.Export("vmlinux", null));
            }
            scan.kernelAddr.clear();
        }
        boolean ranges = scan.gplStart != 0 && scan.gplStop > scan.gplStart;
        for (Map.Entry<String, Long> e : scan.kernelAddr.entrySet()) {
            Boolean gpl = gplOf(symvers, e.getKey());
            if (gpl == null && ranges) gpl = e.getValue() >= scan.gplStart && e.getValue() < scan.gplStop;
            out.put(e.getKey(), new KernelView.Export("vmlinux", gpl));
        }
        // a module whose __ksymtab_ entries kallsyms does not list: its exports as Module.symvers has them
        if (symvers != null) {
            for (Map.Entry<String, Symvers.Entry> e : symvers.entries().entrySet()) {
                String owner = Symvers.moduleName(e.getValue().module());
                if (scan.modules.contains(owner) && !scan.modulesWithKsymtab.contains(owner))
                    out.putIfAbsent(e.getKey(), new KernelView.Export(owner, e.getValue().gplOnly()));
            }
        }
    }

    /** What the lines of /proc/kallsyms tell: the kernel's part collected, modules' exports put out at once. */
    private static final class Scan {
        final Map<String, Long> kernelAddr = new HashMap<>();
        final Set<String> globals = new HashSet<>();
        final Set<String> modulesWithKsymtab = new HashSet<>();
        final Set<String> modules = new HashSet<>();
        long gplStart;
        long gplStop;

        /** One "ADDR TYPE NAME[\t[MODULE]]" line; others are passed over. */
        void line(String line, Symvers symvers, Map<String, KernelView.Export> out) {
            int s1 = line.indexOf(' ');
            int s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
            if (s2 < 0) {
                return;
            }
            int tab = line.indexOf('\t', s2);
            String name = line.substring(s2 + 1, tab < 0 ? line.length() : tab);
            String module = null;
            if (tab >= 0) {
                int lb = line.indexOf('[', tab), rb = line.indexOf(']', tab);
                if (lb >= 0 && rb > lb) module = line.substring(lb + 1, rb);
            }
            long addr = parseHex(line, 0, s1);
            if (module != null) {
                modules.add(module);
                if (name.startsWith(KSYMTAB)) {
                    modulesWithKsymtab.add(module);
                    String sym = name.substring(KSYMTAB.length());
                    out.put(sym, new KernelView.Export(module, gplOf(symvers, sym)));
                }
                return;
            }
            char type = s1 + 1 < line.length() ? line.charAt(s1 + 1) : '?';
            if (type >= 'A' && type <= 'Z') globals.add(name);
            if (name.equals("__start___ksymtab_gpl")) gplStart = addr;
            else if (name.equals("__stop___ksymtab_gpl")) gplStop = addr;
            else if (name.startsWith(KSYMTAB)) kernelAddr.put(name.substring(KSYMTAB.length()), addr);
        }
    }

    private static Boolean gplOf(Symvers symvers, String sym) {
        if (symvers == null) return null;
        Symvers.Entry e = symvers.get(sym);
        return e == null ? null : e.gplOnly();
    }

    private static long parseHex(String text, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) return 0;
            v = (v << 4) | d;
        }
        return v;
    }
}
