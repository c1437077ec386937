package org.modutils.insmod.link;

import org.modutils.insmod.report.Report;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * modutils' symbol hash: 521 buckets, newest first within a bucket. Its iteration order is
 * observable (load map ties, unresolved-symbol messages, implicit exports), so it is kept
 * exactly, including the reversal a rehash causes.
 */
public final class SymbolTable {
    public static final int BUCKETS = 521;

    private Sym[] buckets = new Sym[BUCKETS];
    private SymbolNaming naming;
    private final Sym[] locals;
    /** Where obj_add_symbol's error() lines go (multiply defined, a local index beyond the table). */
    private final Report report;
    /**
     * Name to chain entry, kept only while names compare plainly: then no two chain entries have
     * the same name, so the map finds exactly what the chain walk would, without walking chains
     * that grow with the module (521 buckets). Null after a switch to unversioned comparison,
     * where a name can match several entries and only the chain order decides. An open-addressed
     * table of the entries themselves (keyed by their names), so it costs a reference per slot.
     */
    private Index index;
    /** Entries in the chains, and their order as last computed (null when a chain changed since). */
    private int count;
    private Sym[] orderCache;

    SymbolTable(SymbolNaming naming, int localCount, Report report) {
        this(naming, localCount, report, 16);
    }

    SymbolTable(SymbolNaming naming, int localCount, Report report, int expected) {
        this.naming = naming;
        this.locals = new Sym[Math.max(localCount, 0)];
        this.report = report;
        this.index = naming.isPlain() ? new Index(expected) : null;
    }

    private int bucket(String name) {
        return (int) Long.remainderUnsigned(naming.hash(name), BUCKETS);
    }

    /** The local symbol at ELF index {@code idx}, or null. */
    public Sym local(int idx) {
        return idx >= 0 && idx < locals.length ? locals[idx] : null;
    }

    public int localCount() {
        return locals.length;
    }

    public Sym find(String name) {
        return index != null ? index.get(name) : firstMatch(bucket(name), name);
    }

    /** The first entry of chain {@code h} that names {@code name} (the index, when it is kept, knows it). */
    private Sym firstMatch(int h, String name) {
        if (index != null) {
            return index.get(name);
        }
        for (Sym s = buckets[h]; s != null; s = s.next) {
            if (naming.same(s.name, name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * modutils' obj_add_symbol: adds or redefines {@code name}; {@code symidx} is the ELF index
     * (-1 for symbols insmod makes). Returns the symbol that now holds the name.
     */
    public Sym add(String name, int symidx, int info, int secidx, long value, long size) {
        int h = bucket(name);
        int nType = stType(info), nBind = stBind(info);
        Sym sym = firstMatch(h, name);
        if (sym != null) {
            int oType = stType(sym.info), oBind = stBind(sym.info);
            if (secidx == SHN_UNDEF) {
                return sym;
            } else if (sym.secidx == SHN_UNDEF) {
                return define(sym, name, info, secidx, value, size);
            } else if (nBind == STB_GLOBAL && oBind == STB_LOCAL) {
                return define(replaceInChain(h, sym, name), name, info, secidx, value, size);
            } else if (nBind == STB_LOCAL) {
                Sym nsym = new Sym();
                if (symidx >= 0 && symidx < locals.length) {
                    locals[symidx] = nsym;
                }
                return define(nsym, name, info, secidx, value, size);
            } else if (nBind == STB_WEAK) {
                return sym;
            } else if (oBind == STB_WEAK) {
                return define(sym, name, info, secidx, value, size);
            } else if (secidx == SHN_COMMON && (oType == STT_NOTYPE || oType == STT_OBJECT)) {
                return sym;
            } else if (sym.secidx == SHN_COMMON && (nType == STT_NOTYPE || nType == STT_OBJECT)) {
                return define(sym, name, info, secidx, value, size);
            } else {
                if (secidx <= SHN_HIRESERVE) {
                    report.error(name + " multiply defined");
                }
                return sym;
            }
        }
        return define(insert(h, name, nBind, symidx), name, info, secidx, value, size);
    }

    /** A global replaces a same-named local in chain {@code h}; the local stays reachable by index. */
    private Sym replaceInChain(int h, Sym sym, String name) {
        Sym nsym = new Sym();
        nsym.name = name;
        nsym.next = sym.next;
        if (buckets[h] == sym) {
            buckets[h] = nsym;
        } else {
            Sym p = buckets[h];
            while (p.next != sym) {
                p = p.next;
            }
            p.next = nsym;
        }
        if (index != null) {
            index.put(name, nsym);
        }
        orderCache = null;
        return nsym;
    }

    /** A new name at the head of chain {@code h} (and, for a local from the file, in the local table). */
    private Sym insert(int h, String name, int nBind, int symidx) {
        Sym sym = new Sym();
        sym.name = name;
        sym.next = buckets[h];
        buckets[h] = sym;
        count++;
        orderCache = null;
        if (index != null) {
            index.put(name, sym);
        }
        if (nBind == STB_LOCAL && symidx != -1) {
            if (symidx >= locals.length) {
                report.error("local symbol " + name + " with index " + symidx + " exceeds local_symtab_size "
                        + locals.length);
            } else {
                locals[symidx] = sym;
            }
        }
        return sym;
    }

    private static Sym define(Sym sym, String name, int info, int secidx, long value, long size) {
        sym.name = name;
        sym.value = value;
        sym.size = size;
        sym.secidx = secidx;
        sym.info = info;
        sym.rType = 0;
        return sym;
    }

    /** Switches the naming rules and rehashes, as obj_set_symbol_compare does. */
    public void rename(SymbolNaming newNaming) {
        Sym[] old = buckets;
        buckets = new Sym[BUCKETS];
        naming = newNaming;
        orderCache = null;
        if (!newNaming.isPlain()) {
            index = null;
        }
        for (Sym head : old) {
            Sym next;
            for (Sym s = head; s != null; s = next) {
                next = s.next;
                int h = bucket(s.name);
                s.next = buckets[h];
                buckets[h] = s;
            }
        }
    }

    /** Visits every hashed symbol in modutils' order: buckets ascending, chain order. */
    public void forEach(Consumer<Sym> action) {
        for (Sym head : buckets) {
            for (Sym s = head; s != null; s = s.next) {
                action.accept(s);
            }
        }
    }

    /** Every hashed symbol in modutils' order (as {@link #forEach}), as an array. */
    public Sym[] ordered() {
        Sym[] out = orderCache;
        if (out == null) {
            out = new Sym[count];
            int i = 0;
            for (Sym head : buckets) {
                for (Sym s = head; s != null; s = s.next) {
                    out[i++] = s;
                }
            }
            orderCache = out;
        }
        return out.clone();
    }

    public List<Sym> all() {
        return new ArrayList<>(java.util.Arrays.asList(ordered()));
    }

    /** Name to symbol with linear probing; the table is at most half full. */
    private static final class Index {
        private Sym[] slots;
        private int used;

        Index(int expected) {
            slots = new Sym[Integer.highestOneBit(Math.max(16, expected) * 2 - 1) * 2];
        }

        Sym get(String name) {
            Sym[] t = slots;
            int mask = t.length - 1;
            for (int i = spread(name.hashCode()) & mask; ; i = (i + 1) & mask) {
                Sym s = t[i];
                if (s == null || s.name.equals(name)) {
                    return s;
                }
            }
        }

        /** Makes {@code sym} the entry for {@code name} (which is, or is about to be, its name). */
        void put(String name, Sym sym) {
            Sym[] t = slots;
            int mask = t.length - 1;
            int i = spread(name.hashCode()) & mask;
            while (t[i] != null && !t[i].name.equals(name)) {
                i = (i + 1) & mask;
            }
            if (t[i] == null) {
                used++;
            }
            t[i] = sym;
            if (2 * used > t.length) {
                grow();
            }
        }

        private void grow() {
            Sym[] old = slots;
            Sym[] t = new Sym[old.length * 2];
            int mask = t.length - 1;
            for (Sym s : old) {
                if (s != null) {
                    int i = spread(s.name.hashCode()) & mask;
                    while (t[i] != null) {
                        i = (i + 1) & mask;
                    }
                    t[i] = s;
                }
            }
            slots = t;
        }

        private static int spread(int h) {
            int x = h * 0x9e3779b9;
            return x ^ (x >>> 16);
        }
    }
}
