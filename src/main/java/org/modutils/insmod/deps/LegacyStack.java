package org.modutils.insmod.deps;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.modutils.insmod.config.ModprobeRules;
import org.modutils.insmod.config.ModprobeRules.Kind;

/**
 * modutils 2.4 modprobe's module stacks ({@code build_desc}, {@code build_stack}): a name is
 * followed through its aliases (collecting each level's {@code options}), found in modules.dep,
 * and the stack grows by the {@code above} modules, the module itself, the {@code below}
 * modules and its modules.dep dependencies, recursively. For a load the stack is built by
 * putting each module in front (dependencies end up first); for a removal by appending (the
 * module first, then what it needs). A module met again moves to its new place.
 */
final class LegacyStack {
    static final int NORMAL = 0, ABOVE = 1, BELOW = 2;
    /** build_stack's results. */
    static final int OK = 0, OFF = -1, UNKNOWN = -2;
    private static final int MAX_RECURSION = 128;
    private static final int MAX_ALIASES = 1000;

    /** One module of a stack (the original's DESC). */
    static final class Desc {
        final List<String> names = new ArrayList<>();
        final List<List<String>> options = new ArrayList<>();
        String kname;
        String objkey;
        LegacyModDep.Node nod;
        int mode;
        boolean autoclean = true;
    }

    /** A dependency loop: the original aborts with these lines. */
    static final class Loop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Loop(String message) {
            super(message, null, false, false);
        }
    }

    private final ModprobeRules rules;
    private final LegacyModDep dep;
    private final LegacyProbe.Host host;
    /** modprobe_fromlist, for probe/probeall lists met behind an alias. */
    interface FromList {
        int run(List<String> names, boolean loadAll);
    }

    private final FromList probeList;
    private int recursion;
    /** The name the last build_stack failed on, and whether it was the name asked for. */
    String errorName;
    boolean errorIsTop;

    LegacyStack(ModprobeRules rules, LegacyModDep dep, LegacyProbe.Host host, FromList probeList) {
        this.rules = rules;
        this.dep = dep;
        this.host = host;
        this.probeList = probeList;
    }

    /** build_desc: null when {@code objname} is not in modules.dep. */
    Desc describe(String name, String objname, boolean allowAlias) {
        LegacyModDep.Node nod = null;
        if (objname != null) {
            nod = dep.byPath(objname).orElse(null);
            if (nod == null) return null;
        }
        Desc d = new Desc();
        d.nod = nod;
        int levels = 0;
        for (String p = name; p != null; p = allowAlias ? alias(p) : null) {
            if (p.equals("off")) {
                d.objkey = null;
                break;
            }
            d.objkey = p;
            d.names.add(p);
            options(d, p);
            if (++levels > MAX_ALIASES) {
                host.report().warning("modprobe: alias loop detected on " + name);
                break;
            }
        }
        if (d.kname == null) d.kname = d.objkey;
        if (d.nod == null && d.objkey != null) d.nod = dep.byKey(d.objkey, 0).orElse(null);
        if (d.nod == null && d.objkey != null && !name.equals(d.objkey)) {
            if (probeLists(d.objkey).orElse(0) != 0) d.objkey = null;
        }
        return d;
    }

    /**
     * {@code probe NAME ...} (the first of the list that loads) or else {@code probeall NAME ...}
     * (every one): modprobe_fromlist's status, or empty when NAME has neither line.
     */
    OptionalInt probeLists(String name) {
        Optional<ModprobeRules.Entry> probe = rules.get(Kind.PROBE, name);
        if (probe.isPresent()) return OptionalInt.of(probeList.run(probe.get().words(), false));
        Optional<ModprobeRules.Entry> probeall = rules.get(Kind.PROBEALL, name);
        if (probeall.isPresent()) return OptionalInt.of(probeList.run(probeall.get().words(), true));
        return OptionalInt.empty();
    }

    /** One alias level's options: in front of the earlier levels', and its "-o NAME". */
    private void options(Desc d, String p) {
        Optional<ModprobeRules.Entry> o = rules.get(Kind.OPTIONS, p.startsWith("/") ? p : LegacyModDep.stripo(p));
        if (o.isEmpty()) return;
        if (!o.get().autoclean()) d.autoclean = false;
        List<String> g = o.get().words();
        d.options.add(0, g);
        if (d.kname == null) {
            int i = g.indexOf("-o");
            if (i >= 0 && i + 1 < g.size()) d.kname = g.get(i + 1);
        }
    }

    /** any_alias: what the name is an alias for; a /dev name matches patterns with * and ?. */
    String alias(String mod) {
        if (!mod.startsWith("/")) {
            return rules.get(Kind.ALIAS, LegacyModDep.stripo(mod))
                    .filter(e -> !e.words().isEmpty()).map(e -> e.words().get(0)).orElse(null);
        }
        for (ModprobeRules.Entry e : rules.entries(Kind.ALIAS)) {
            if (!devMatch(e.name(), mod)) continue;
            if (e.words().isEmpty()) return null;
            String to = e.words().get(0);
            return to.equals(mod) ? null : to;
        }
        return null;
    }

    private static boolean devMatch(String pattern, String name) {
        int i = 0;
        for (; i < pattern.length() && i < name.length(); i++) {
            char p = pattern.charAt(i);
            if (p == '*') return true;
            if (p != name.charAt(i) && p != '?') return false;
        }
        return (i < pattern.length() && pattern.charAt(i) == '*') || (i == pattern.length() && i == name.length());
    }

    /** build_stack: OK, OFF (aliased off) or UNKNOWN (errorName says which module is missing). */
    int build(List<Desc> stack, String name, String objname, boolean append, Desc rev, int mode,
              boolean allowAlias, boolean top) {
        errorName = name;
        errorIsTop = top;
        Desc d = describe(name, objname, allowAlias);
        if (d == null) return UNKNOWN;
        if (d.kname == null) return OFF;
        if (d.nod == null) return UNKNOWN;
        d.mode = mode;
        if (rev != null && rev.kname.equals(d.kname)) return OK;
        if (++recursion > MAX_RECURSION) {
            StringBuilder b = new StringBuilder("modprobe: Too deep recursion in module dependencies!\n"
                    + "modprobe: Circular dependency?");
            for (Desc s : stack) b.append(' ').append(s.kname);
            throw new Loop(b.toString());
        }
        try {
            return grow(stack, d, append, rev);
        } finally {
            recursion--;
        }
    }

    private int grow(List<Desc> stack, Desc d, boolean append, Desc rev) {
        for (String n : d.names) {
            for (String up : extra(Kind.ABOVE, n)) {
                if (stack.stream().anyMatch(s -> s.kname.equals(up))) continue;
                int r = build(stack, up, null, append, rev != null ? rev : d, ABOVE, true, false);
                if (r < 0) return r;
            }
        }
        for (int i = 0; i < stack.size(); i++) {
            if (stack.get(i).kname.equals(d.kname)) {
                if (rev != null && rev == stack.get(i)) return OK;
                stack.remove(i);
                break;
            }
        }
        if (append) stack.add(d);
        else stack.add(0, d);
        for (String n : d.names) {
            for (String below : extra(Kind.BELOW, n)) {
                int r = build(stack, below, null, append, rev, BELOW, true, false);
                if (r < 0) return r;
            }
        }
        for (LegacyModDep.Node n : d.nod.deps()) {
            int r = build(stack, n.key(), n.path(), append, rev, NORMAL, false, false);
            if (r < 0) return r;
        }
        return OK;
    }

    /** extradeps: the above/below list of a module name. */
    private List<String> extra(Kind kind, String mod) {
        return rules.get(kind, LegacyModDep.stripo(mod)).map(ModprobeRules.Entry::words).orElse(List.of());
    }
}
