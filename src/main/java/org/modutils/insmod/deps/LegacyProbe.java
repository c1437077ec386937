package org.modutils.insmod.deps;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.modutils.insmod.config.MetaExpander;
import org.modutils.insmod.config.ModprobeRules;
import org.modutils.insmod.config.ModprobeRules.Kind;
import org.modutils.insmod.config.ModprobeRules.When;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.report.Report;

/**
 * modutils 2.4's modprobe: loading a name ({@code modprobe_fromlist}: probe and probeall lists,
 * globs, each stack loaded in order and undone when a module of it fails), removing names
 * ({@code unload}: the stack in removal order, each module only when loaded and unused) and the
 * autoclean pass. What it decides, this class says through {@link Host}: which commands and
 * which insmod command lines run, which modules are deleted, and the messages. The host does
 * them (or, for {@code -n}, only shows them).
 */
public final class LegacyProbe {
    /** What a removal needs to know of a loaded module. */
    public record Module(String name, boolean autoclean, boolean visited, boolean usedOnce, boolean busy) {}

    /** The doer: the kernel, the shell, insmod and the messages. */
    public interface Host {
        /** readcur: the names of the loaded modules. */
        List<String> loaded();

        /** get_kernel_info(K_INFO|K_REFS): the loaded modules, or null after the host reported why not. */
        List<Module> modules();

        /** system(): a configuration command; its exit status. */
        int system(String command);

        /** The insmod command line (its first word is "/sbin/insmod"); its exit status. */
        int insmod(List<String> argv);

        /** delete_module (null: the kernel's autoclean pass); 0 or the errno. */
        int delete(String name);

        /** config_lstmod(match, type, 0): the files of the search path with that name. */
        List<String> locate(String match, String type);

        /** A -v line (the host prints it only with -v). */
        void verbose(String text);

        /** Where error() ("modprobe: TEXT") and raw stderr text (warning) go. */
        Report report();

        /** perror(): "WHAT: strerror(errno)". */
        void perror(String what, int errno);
    }

    /**
     * -n (runit false), -q, -k, -s, -t TYPE, -a, modules.conf's insmod_opt= (or null), and the
     * directory the tree of modules.dep is kept under ("" for none: its paths are this machine's).
     */
    public record Settings(boolean run, boolean quiet, boolean autoclean, boolean syslog, String type, boolean loadAll,
                           String insmodOpt, String base) {}

    private final ModprobeRules rules;
    private final LegacyModDep dep;
    private final Host host;
    private final Settings s;
    private final LegacyStack stacks;
    private List<String> inKernel;
    private int loaded;

    public LegacyProbe(ModprobeRules rules, LegacyModDep dep, Host host, Settings settings) {
        this.rules = rules;
        this.dep = dep;
        this.host = host;
        this.s = settings;
        this.stacks = new LegacyStack(rules, dep, host, this::fromList);
        this.inKernel = host.loaded();
    }

    /** modprobe NAME [PARAM=VALUE...] [NAME...]: 0, or -1 after the original's message. */
    public int load(List<String> args) {
        return fromList(args, s.type(), s.loadAll());
    }

    private int fromList(List<String> args, boolean loadAll) {
        return fromList(args, null, loadAll);
    }

    private int fromList(List<String> argv, String type, boolean loadAll) {
        loaded = 0;
        int ret = 0;
        String name = argv.isEmpty() ? "" : argv.get(0);
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i).indexOf('=') >= 0) continue;
            name = argv.get(i);
            List<String> options = i + 1 < argv.size() && argv.get(i + 1).indexOf('=') >= 0
                    ? argv.subList(i + 1, argv.size()) : null;
            ret = one(name, options, type, loadAll);
            if (!loadAll && loaded > 0) return 0;
            inKernel = host.loaded();
        }
        if (loaded > 0) return 0;
        if (ret == LegacyStack.UNKNOWN) {
            if (stacks.errorName != null && !stacks.errorIsTop) {
                host.report().error("Can't locate module " + stacks.errorName + " which is needed for " + name);
            } else if (!s.quiet()) {
                host.report().error("Can't locate module " + name);
            }
        } else {
            host.report().error("insmod " + name + " failed");
        }
        return -1;
    }

    /** One name of the list: by search (-t or a pattern), a probe list, or modules.dep. */
    private int one(String name, List<String> options, String type, boolean loadAll) {
        if (type != null || MetaExpander.hasShellMeta(name)) return located(name, options, type, loadAll);
        OptionalInt listed = stacks.probeLists(name);
        if (listed.isPresent()) return listed.getAsInt();
        String obj = null;
        int ret;
        while (true) {
            LegacyStack.Desc[] asked = new LegacyStack.Desc[1];
            ret = probeStack(name, obj, options, asked, true);
            if (ret >= LegacyStack.OFF) loaded++;
            LegacyStack.Desc d = asked[0];
            if (ret != -3 || d == null || d.objkey == null || d.nod == null) break;
            Optional<LegacyModDep.Node> next = dep.nextWithSameKey(d.nod);
            if (next.isEmpty()) break;
            obj = next.get().path();
        }
        return ret;
    }

    /** config_locate: NAME.o, NAME.o.gz or NAME in the search path, each file name once; every one tried. */
    private int located(String name, List<String> options, String type, boolean loadAll) {
        List<String> found = locate(name, type);
        if (found.isEmpty()) return LegacyStack.UNKNOWN;
        int ret = LegacyStack.UNKNOWN;
        for (String obj : found) {
            ret = probeStack(LegacyModDep.stripo(obj), obj, options, null, false);
            if (ret >= LegacyStack.OFF) {
                loaded++;
            } else {
                ret = LegacyStack.UNKNOWN;
                stacks.errorName = null;
            }
            if (ret >= LegacyStack.OFF && !loadAll) break;
        }
        return ret;
    }

    private List<String> locate(String name, String type) {
        if (name.indexOf('/') >= 0) return List.of(name);
        List<String> g = host.locate(name + ".o", type);
        if (g.isEmpty()) g = host.locate(name + ".o.gz", type);
        if (g.isEmpty()) g = host.locate(name, type);
        List<String> out = new ArrayList<>();
        List<String> bases = new ArrayList<>();
        for (String p : g) {
            String base = p.substring(p.lastIndexOf('/') + 1);
            if (!bases.contains(base)) {
                bases.add(base);
                out.add(p);
            }
        }
        return out;
    }

    /**
     * probe_stack: OK, OFF, UNKNOWN, or -3 when a module failed (what this run loaded is removed
     * again); the entry of the name asked for goes to {@code asked[0]} unless {@code asked} is null.
     */
    private int probeStack(String name, String obj, List<String> options, LegacyStack.Desc[] asked, boolean top) {
        List<LegacyStack.Desc> stack = new ArrayList<>();
        int status = stacks.build(stack, name, obj, false, null, LegacyStack.NORMAL, true, top);
        if (status < 0) return status;
        List<LegacyStack.Desc> fresh = new ArrayList<>();
        for (LegacyStack.Desc d : stack) {
            List<String> these = null;
            if (name.equals(d.names.get(0))) {
                if (asked != null) asked[0] = d;
                if (status != 0) break;
                these = options;
            }
            if (status == 0 && insmod(d, fresh, these) != 0) {
                if (d.mode != LegacyStack.NORMAL) continue;
                for (LegacyStack.Desc undo : fresh) callRmmod(undo.kname, undo, false);
                status = -3;
            }
        }
        return status;
    }

    /** insmod(): the pre-install, install (or insmod) and post-install steps of one module. */
    private int insmod(LegacyStack.Desc d, List<LegacyStack.Desc> fresh, List<String> options) {
        if (d.objkey == null || d.objkey.equals("null") || (s.run() && inKernel.contains(d.kname))) return 0;
        int ret = commands(When.PRE_INSTALL, d.names, 0);
        boolean usedEx = ret == 0 && d.names.stream().anyMatch(n -> command(When.INSTALL, n).isPresent());
        ret = commands(When.INSTALL, d.names, ret);
        if (ret == 0 && !usedEx) {
            List<String> argv = LegacyInsmodLine.argv(d, s, options);
            host.verbose(String.join(" ", argv) + "\n");
            if (s.run()) ret = host.insmod(argv);
            if (!s.quiet() && ret != 0) host.report().error("insmod " + d.nod.path() + " failed");
        }
        ret = commands(When.POST_INSTALL, d.names, ret);
        if (ret == 0) fresh.add(0, d);
        inKernel = host.loaded();
        return ret;
    }

    /** The commands of one kind for each name while nothing failed; the status so far. */
    private int commands(When when, List<String> names, int ret) {
        for (String n : names) {
            if (ret != 0) break;
            Optional<String> ex = command(when, n);
            if (ex.isEmpty()) continue;
            host.verbose("# " + when.keyword() + " " + n + ":\n" + ex.get() + "\n");
            if (s.run() && (ret = host.system(ex.get())) != 0) host.report().error(when.keyword() + " " + n + " failed");
        }
        return ret;
    }

    private Optional<String> command(When when, String name) {
        return rules.command(when, LegacyModDep.stripo(name));
    }

    /**
     * modprobe -r NAME...: for each name its probe list, or its stack in removal order; the
     * names that could not be removed, with the errno perror() shows for them (0 for none).
     */
    public List<Failure> remove(List<String> names) {
        List<Failure> failed = new ArrayList<>();
        for (String n : names) {
            lastErrno = 0;
            if (unload(n) != 0) failed.add(new Failure(n, lastErrno));
        }
        return failed;
    }

    /** A name modprobe -r could not remove, and the errno of the last failure. */
    public record Failure(String name, int errno) {}

    private int lastErrno;

    private int unload(String name) {
        String mod = LegacyModDep.stripo(name);
        Optional<ModprobeRules.Entry> g = rules.get(Kind.PROBE, mod).or(() -> rules.get(Kind.PROBEALL, mod));
        if (g.isPresent()) {
            int ret = 0;
            for (String w : g.get().words()) {
                int how = unload(w);
                if (how != 0) ret = how;
            }
            return ret;
        }
        List<LegacyStack.Desc> stack = new ArrayList<>();
        int ret = stacks.build(stack, mod, null, true, null, LegacyStack.NORMAL, true, true);
        if (ret == LegacyStack.OFF) return 0;
        if (ret < 0) return callRmmod(mod, null, true);
        for (LegacyStack.Desc d : stack) {
            if (!inKernel.contains(d.kname)) continue;
            boolean wanted = mod.equals(d.kname);
            if (callRmmod(d.kname, d, wanted) != 0 && wanted) ret = -1;
        }
        return ret;
    }

    /** call_rmmod: pre-remove, remove (or delete_module), post-remove of a loaded, unused module. */
    private int callRmmod(String modname, LegacyStack.Desc d, boolean complain) {
        String kname = d == null ? LegacyModDep.stripo(modname) : d.kname;
        List<String> names = d == null ? List.of(kname) : d.names;
        List<Module> mods = host.modules();
        if (mods == null) return -1;
        Optional<Module> m = mods.stream().filter(x -> x.name().equals(kname)).findFirst();
        if (m.isEmpty()) return 0;
        if (m.get().busy()) {
            lastErrno = Errno.EBUSY;
            return -1;
        }
        int ret = removeCommands(When.PRE_REMOVE, names, names, complain, 0);
        Optional<String> remove = command(When.REMOVE, kname);
        ret = remove.isPresent() ? removeCommands(When.REMOVE, names, List.of(kname), complain, ret) : ret;
        if (remove.isEmpty() && ret == 0) {
            host.verbose("# delete " + kname + "\n");
            int errno = s.run() ? host.delete(kname) : 0;
            if (errno != 0) {
                lastErrno = errno;
                if (!s.quiet() && complain) host.perror(kname, errno);
                ret = -1;
            }
        }
        ret = removeCommands(When.POST_REMOVE, names, names, complain, ret);
        inKernel = host.loaded();
        return ret;
    }

    /** One kind of remove command for each name (the remove command is the module's own). */
    private int removeCommands(When when, List<String> names, List<String> owners, boolean complain, int ret) {
        for (String n : names) {
            if (ret != 0) break;
            String owner = owners.size() == 1 ? owners.get(0) : n;
            Optional<String> ex = command(when, owner);
            if (ex.isEmpty()) continue;
            host.verbose("# " + when.keyword() + " " + n + ":\n" + ex.get() + "\n");
            if (s.run() && host.system(ex.get()) != 0) {
                if (!s.quiet() && complain) host.report().error(when.keyword() + " " + n + " failed");
                ret = -1;
            }
        }
        return ret;
    }

    /**
     * modprobe -r without names: the autoclean modules not visited since the last pass, used
     * once and unused now go (with their remove commands), then the kernel's own autoclean pass
     * marks the rest; 1 when that pass failed.
     */
    public int autoclean() {
        List<Module> mods = host.modules();
        if (mods == null) return 1;
        for (Module m : mods) {
            if (m.autoclean() && !m.visited() && m.usedOnce() && !m.busy()) callRmmod(m.name(), null, false);
        }
        host.verbose("# autoclean\n");
        int errno = s.run() ? host.delete(null) : 0;
        if (errno != 0) {
            host.perror("rmmod", errno);
            return 1;
        }
        return 0;
    }

    /** The original aborts on a dependency loop: its lines, for the tool to print before dying the same way. */
    public static Optional<String> loopMessage(RuntimeException e) {
        return e instanceof LegacyStack.Loop ? Optional.of(e.getMessage()) : Optional.empty();
    }
}
