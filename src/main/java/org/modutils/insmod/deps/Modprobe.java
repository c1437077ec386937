package org.modutils.insmod.deps;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * modprobe's logic as libkmod's: looking a name up (configuration aliases, modules.dep,
 * symbols, install/remove commands, modules.alias, built-ins), the list of modules to load
 * for one (soft dependencies before and after, hard dependencies deepest first), and the
 * removal order. The tool executes and prints; this class only decides.
 */
public final class Modprobe {
    /** One step of a load: the module, its options, and its install command when that is run instead. */
    public record Step(ModprobeTarget module, String options, String installCommand, boolean required) {}

    private final ModuleDb db;
    private final ModprobeConfig cfg;
    private final ModuleState state;
    private final Set<String> visited = new HashSet<>();
    private final Set<String> required = new HashSet<>();

    public Modprobe(ModuleDb db, ModprobeConfig cfg, ModuleState state) {
        this.db = db;
        this.cfg = cfg;
        this.state = state;
    }

    public ModuleDb db() {
        return db;
    }

    public ModuleState state() {
        return state;
    }

    /** kmod_module_new_from_lookup: the modules a name stands for, empty when none. */
    public List<ModprobeTarget> lookup(String given) {
        String name = Aliases.normalize(given);
        if (name == null) return List.of();
        List<ModprobeTarget> out = new ArrayList<>();
        for (ModprobeConfig.Alias a : cfg.aliases) {
            if (a.pattern().equals(name) || Fnmatch.matches(a.pattern(), name)) out.add(target(a.module(), true));
        }
        if (!out.isEmpty()) return out;
        if (db.module(name) != null) return List.of(target(name, false));
        if (name.startsWith("symbol:")) {
            for (String m : db.symbolOwners(name)) out.add(target(m, true));
            if (!out.isEmpty()) return out;
        }
        if (cfg.installOf(name) != null || cfg.removeOf(name) != null) return List.of(target(name, false));
        for (String m : db.aliasMatches(name)) out.add(target(m, true));
        if (!out.isEmpty()) return out;
        if (db.isBuiltin(name)) return List.of(new ModprobeTarget(name, null, false, true));
        for (String m : db.builtinAliasMatches(name)) out.add(new ModprobeTarget(m, null, true, true));
        return out;
    }

    /** kmod_module_new_from_name: the module called {@code name}, as modules.dep has it. */
    public ModprobeTarget named(String name) {
        return target(name, false);
    }

    private ModprobeTarget target(String name, boolean viaAlias) {
        ModuleDb.Entry e = db.module(name);
        return new ModprobeTarget(name, e == null ? null : db.absolute(e.path()), viaAlias, db.isBuiltin(name));
    }

    /** The module's hard dependencies in libkmod's order: the modules.dep line read backwards. */
    public List<ModprobeTarget> dependencies(ModprobeTarget m) {
        ModuleDb.Entry e = db.module(m.name());
        List<ModprobeTarget> out = new ArrayList<>();
        if (e == null) return out;
        for (int i = e.deps().size() - 1; i >= 0; i--) out.add(target(Mod.nameOf(e.deps().get(i)), false));
        return out;
    }

    public boolean blacklisted(ModprobeTarget m) {
        return cfg.blacklist.contains(m.name());
    }

    public String removeCommand(String name) {
        return cfg.removeOf(name);
    }

    /** Soft dependencies of {@code name}, looked up: {pre, post}. */
    public List<List<ModprobeTarget>> softdeps(String name) {
        ModprobeConfig.Softdep sd = cfg.softdepOf(name);
        List<ModprobeTarget> pre = new ArrayList<>();
        List<ModprobeTarget> post = new ArrayList<>();
        if (sd != null) {
            for (String p : sd.pre()) pre.addAll(lookup(p));
            for (String p : sd.post()) post.addAll(lookup(p));
        }
        return List.of(pre, post);
    }

    /**
     * kmod_module_get_probe_list plus the options and commands of each step; {@code extra} are
     * the command line's options for {@code mod} itself.
     */
    public List<Step> probeList(ModprobeTarget mod, String extra, boolean ignoreCommands) {
        List<ModprobeTarget> list = new ArrayList<>();
        Set<String> ignoreCmd = new HashSet<>();
        visited.clear();
        required.clear();
        probe(mod, true, ignoreCommands, list, ignoreCmd);
        List<Step> steps = new ArrayList<>();
        for (ModprobeTarget m : list) {
            String opts = concat(cfg.optionsOf(m.name()), m.name().equals(mod.name()) ? extra : null);
            String cmd = ignoreCommands || ignoreCmd.contains(m.name()) ? null : cfg.installOf(m.name());
            steps.add(new Step(m, opts, cmd, required.contains(m.name())));
        }
        return steps;
    }

    private void probe(ModprobeTarget mod, boolean req, boolean ignoreCommands, List<ModprobeTarget> list, Set<String> ignoreCmd) {
        if (!visited.add(mod.name())) return;
        List<ModprobeTarget> deps = dependencies(mod);
        if (req) {
            required.add(mod.name());
            for (ModprobeTarget d : deps) required.add(d.name());
        }
        for (ModprobeTarget d : deps) fillSoftdep(d, list, ignoreCmd);
        if (ignoreCommands) list.add(mod);
        else fillSoftdep(mod, list, ignoreCmd);
    }

    private void fillSoftdep(ModprobeTarget m, List<ModprobeTarget> list, Set<String> ignoreCmd) {
        List<List<ModprobeTarget>> sd = softdeps(m.name());
        for (ModprobeTarget p : sd.get(0)) probe(p, false, false, list, ignoreCmd);
        list.add(m);
        if (!sd.get(0).isEmpty() || !sd.get(1).isEmpty()) ignoreCmd.add(m.name());
        for (ModprobeTarget p : sd.get(1)) probe(p, false, false, list, ignoreCmd);
    }

    /** libkmod's module_options_concat: configured options always end with a blank, then the extra ones. */
    static String concat(String a, String b) {
        boolean noA = a == null || a.isEmpty();
        boolean noB = b == null || b.isEmpty();
        if (noA && noB) return null;
        return (a != null ? a + " " : "") + (b != null ? b : "");
    }
}
