package org.modutils.insmod.link;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.List;

/** The -m load map, printed exactly as modutils' print_load_map does. */
public final class LoadMap {
    private LoadMap() {}

    public static String render(ObjFile f) {
        int w = 2 * f.target.wordSize();
        StringBuilder sb = new StringBuilder(4096);
        sb.append("Sections:       Size      ").append(pad("Address", w)).append("  Align\n");
        for (LinkSection sec : f.loadOrder()) {
            int a = -1;
            for (long tmp = sec.addralign; tmp != 0; tmp >>>= 1) {
                a++;
            }
            if (a == -1) {
                a = 0;
            }
            sb.append(pad(sec.name, 15)).append(' ')
              .append(hex(f.mask(sec.size), 8)).append("  ")
              .append(hex(sec.addr, w)).append("  2**").append(a).append('\n');
        }
        boolean[] loaded = new boolean[f.sectionCount()];
        for (int i = 0; i < loaded.length; i++) {
            loaded[i] = (f.section(i).flags & SHF_ALLOC) != 0;
        }
        List<Sym> all = new ArrayList<>();
        f.symbols().forEach(sym -> {
            if (sym.secidx <= SHN_HIRESERVE && (sym.secidx >= SHN_LORESERVE
                    || (sym.secidx < loaded.length && loaded[sym.secidx]))) {
                all.add(sym);
            }
        });
        // glibc's qsort is a stable merge sort here; List.sort is stable too.
        all.sort((a, b) -> Long.compareUnsigned(f.finalValue(a), f.finalValue(b)));
        sb.append("\nSymbols:\n");
        for (Sym sym : all) {
            char type = '?';
            long value;
            if (sym.secidx == SHN_ABS) {
                type = 'A';
                value = sym.value;
            } else if (sym.secidx == SHN_UNDEF) {
                type = 'U';
                value = 0;
            } else if (sym.secidx >= SHN_LORESERVE) {
                value = sym.value;
            } else {
                LinkSection sec = f.section(sym.secidx);
                if (sec.type == SHT_NOBITS) {
                    type = 'B';
                } else if ((sec.flags & SHF_ALLOC) != 0) {
                    if ((sec.flags & SHF_EXECINSTR) != 0) {
                        type = 'T';
                    } else if ((sec.flags & SHF_WRITE) != 0) {
                        type = 'D';
                    } else {
                        type = 'R';
                    }
                }
                value = f.mask(sym.value + sec.addr);
            }
            if (stBind(sym.info) == STB_LOCAL) {
                type = Character.toLowerCase(type);
            }
            sb.append(hex(f.mask(value), w)).append(' ').append(type).append(' ').append(sym.name).append('\n');
        }
        return sb.toString();
    }

    static String pad(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        StringBuilder b = new StringBuilder(width).append(s);
        while (b.length() < width) {
            b.append(' ');
        }
        return b.toString();
    }

    static String hex(long v, int width) {
        String h = Long.toHexString(v);
        if (h.length() >= width) {
            return h;
        }
        StringBuilder b = new StringBuilder(width);
        for (int i = h.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(h).toString();
    }
}
