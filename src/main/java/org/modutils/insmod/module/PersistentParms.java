package org.modutils.insmod.module;

import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.kernel.ModuleTable;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Sym;
import org.modutils.insmod.report.Report;

/**
 * rmmod's half of persistent data, the object side: which parameters of a loaded module are
 * persistent ('p' in their MODULE_PARM format) and at which kernel address each one lives,
 * found from the module's object file and the ksymoops symbols insmod gave the module
 * ({@code __insmod_<name>_O<file>_M<mtime>_V<version>}, {@code _P<persist file>},
 * {@code _S<section>_L<length>}). The messages are modutils 2.4 rmmod's.
 */
final class PersistentParms {
    /** One persistent parameter: its name, type letter (b h i l c), element size and count, kernel address. */
    record Parm(String name, char type, int size, int max, long address) {
        int bytes() {
            return size * max;
        }
    }

    /** A problem that stops saving this module's data (already worded as modutils said it). */
    static final class Stop extends Exception {
        Stop(String message) {
            super(message, null, false, false);
        }
    }

    private PersistentParms() {}

    /** find_insmod_symbol: the text after "__insmod_" module "_" type in any loaded module's exports, or null. */
    static String insmodSymbol(ModuleTable t, String module, String type) {
        String prefix = "__insmod_" + module + "_" + type;
        for (ModuleStatus m : t.modules()) {
            for (KernelSymbol s : m.symbols()) {
                if (s.name().startsWith(prefix)) {
                    return s.name().substring(prefix.length());
                }
            }
        }
        return null;
    }

    /** The object path and load-time mtime from the O symbol's text ("path_Mhex_Vversion"). */
    record ObjectName(String path, long mtime) {}

    static ObjectName objectName(String text, String module) throws Stop {
        int v = text.length() - 2;
        while (v > 0 && !text.startsWith("_V", v)) {
            v--;
        }
        if (v <= 0) {
            throw new Stop("Cannot find _V in obj_name for " + module);
        }
        int m = v;
        while (m > 0 && !text.startsWith("_M", m)) {
            m--;
        }
        if (m <= 0) {
            throw new Stop("Cannot find _M in obj_name for " + module);
        }
        // 2 * sizeof(long) hex digits of the inserting insmod (the original always cut at 8).
        String hex = text.substring(m + 2, v);
        try {
            if (hex.isEmpty() || hex.startsWith("+") || hex.startsWith("-")) {
                throw new NumberFormatException();
            }
            return new ObjectName(text.substring(0, m), Long.parseUnsignedLong(hex, 16));
        } catch (NumberFormatException e) {
            throw new Stop("Invalid _M timestamp in obj_name for " + module);
        }
    }

    /**
     * The persistent parameters of the loaded object {@code f} with their kernel addresses.
     * {@code f} must be freshly loaded; its commons are allocated here, as the original did
     * before comparing section lengths.
     */
    static List<Parm> locate(ObjFile f, ModuleTable t, String module, String objName, Report log, boolean verbose)
            throws Stop {
        List<String[]> formats = new ArrayList<>();
        for (String e : ModInfo.entries(f)) {
            int eq = e.indexOf('=');
            if (eq >= 5 && e.startsWith("parm_") && !(eq > 10 && e.startsWith("parm_desc_"))) {
                formats.add(new String[] {e.substring(5, eq), e.substring(eq + 1)});
            }
        }
        List<Sym> syms = new ArrayList<>();
        List<Parm> parms = new ArrayList<>();
        for (String[] pf : formats) {
            Parm p = parse(f, pf[0], pf[1], objName, log, verbose);
            if (p != null) {
                parms.add(p);
                syms.add(f.findSymbol(pf[0]));
            }
        }
        if (parms.isEmpty()) {
            throw new Stop("Module " + module + " should have persistent data but could not find any");
        }
        f.allocateCommons();
        placeSections(f, t, module);
        List<Parm> out = new ArrayList<>(parms.size());
        for (int i = 0; i < parms.size(); i++) {
            Sym s = syms.get(i);
            LinkSection sec = s.secidx >= 0 && s.secidx < f.sectionCount() ? f.section(s.secidx) : null;
            if (sec == null || sec.addr == 0) {
                throw new Stop("No start address for persistent symbol " + s.name + " in " + module);
            }
            long addr = f.mask(s.value + sec.addr);
            if (verbose) {
                log.info("Persistent symbol " + s.name + " in " + module + " at 0x" + Long.toHexString(addr));
            }
            Parm p = parms.get(i);
            out.add(new Parm(p.name(), p.type(), p.size(), p.max(), addr));
        }
        return out;
    }

    /** spd_parm: null for a parameter that is not persistent. */
    private static Parm parse(ObjFile f, String name, String format, String objName, Report log, boolean verbose)
            throws Stop {
        if (verbose) {
            log.info("  MODULE_PARM(" + name + ", \"" + format + "\");");
        }
        if (f.findSymbol(name) == null) {
            throw new Stop("Symbol for parameter " + name + " not found in " + objName);
        }
        int i = 0, max = 1;
        if (i < format.length() && Character.isDigit(format.charAt(i))) {
            int[] at = {i};
            max = number(format, at);
            i = at[0];
            if (i < format.length() && format.charAt(i) == '-') {
                at[0] = i + 1;
                max = number(format, at);
                i = at[0];
            }
        }
        char type = i < format.length() ? format.charAt(i) : '\0';
        int size;
        switch (type) {
            case 'c' -> {
                if (i + 1 >= format.length() || !Character.isDigit(format.charAt(i + 1))) {
                    throw new Stop("Parameter " + name + " has no size after type 'c'");
                }
                int[] at = {i + 1};
                size = number(format, at);
                if (size == 0) {
                    throw new Stop("Parameter " + name + " has zero size after type 'c'");
                }
                i = at[0] - 1;
            }
            case 'b' -> size = 1;
            case 'h' -> size = 2;
            case 'i' -> size = 4;
            case 'l' -> size = f.target.wordSize();
            case 's' -> size = 0;      // a char *: never persistent (the original stopped here on any 's')
            default -> throw new Stop("Parameter " + name + " has unknown format character '" + type + "'");
        }
        char mod = i + 1 < format.length() ? format.charAt(i + 1) : '\0';
        if (mod == '\0') {
            return null;
        }
        if (mod != 'p') {
            throw new Stop("Parameter " + name + " has unknown format modifier '" + mod + "'");
        }
        if (type == 's') {
            throw new Stop("Parameter " + name + " is invalid persistent string");
        }
        return new Parm(name, type, size, max, 0);
    }

    private static int number(String s, int[] at) {
        long v = 0;
        int i = at[0];
        while (i < s.length() && Character.isDigit(s.charAt(i)) && v < Integer.MAX_VALUE) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        at[0] = i;
        return (int) Math.min(v, 1 << 20);
    }

    /** find_insmod_sections: each "__insmod_<m>_S<section>_L<length>" gives that section's load address. */
    private static void placeSections(ObjFile f, ModuleTable t, String module) throws Stop {
        String prefix = "__insmod_" + module + "_S";
        for (ModuleStatus m : t.modules()) {
            for (KernelSymbol s : m.symbols()) {
                if (!s.name().startsWith(prefix)) {
                    continue;
                }
                String rest = s.name().substring(prefix.length());
                int l = rest.indexOf("_L");
                if (l < 0) {
                    throw new Stop("Cannot find length in " + s.name());
                }
                long len;
                try {
                    len = Long.parseLong(rest.substring(l + 2));
                } catch (NumberFormatException e) {
                    throw new Stop("Invalid length in " + s.name());
                }
                LinkSection sec = f.find(rest.substring(0, l));
                if (sec != null) {
                    if (len != sec.size) {
                        throw new Stop("Length mismatch " + s.name() + " vs " + sec.size);
                    }
                    sec.addr = s.value();
                }
            }
        }
    }
}
