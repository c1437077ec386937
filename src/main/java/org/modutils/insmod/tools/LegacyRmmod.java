package org.modutils.insmod.tools;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.cli.Options;
import org.modutils.insmod.sys.Getopt;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.kernel.ModuleTable;
import org.modutils.insmod.kernel.remote.LinkException;
import org.modutils.insmod.module.PersistSave;

/**
 * modutils 2.4's rmmod for 2.1-2.4 kernels, here or on a --target: delete_module for each name
 * (saving persistent parameters first), -r for whole stacks, -a for the kernel's autoclean
 * pass, -e to save persistent data only; a ksymoops snapshot when the module list changed.
 */
public final class LegacyRmmod {
    static final String USAGE = "Usage:\n"
            + "rmmod [-aehrsvV] module ...\n"
            + "\n"
            + "  -a, --all     Remove all unused modules\n"
            + "  -e, --persist Save persistent data, do not unload module\n"
            + "  -r, --stacks  Remove stacks, starting at the named module\n"
            + "  -s, --syslog  Use syslog for error messages\n"
            + "  -h, --help    Print this message\n"
            + "  -v, --verbose Be verbose\n"
            + "  -V, --version Print the release version number\n";

    private static final Options OPTIONS = ToolOptions.of("a:all", "e:persist", "h:help", "r:stacks", "s:syslog",
            "v:verbose", "V:version");

    private static final int WANT_TO_REMOVE = 1, CAN_REMOVE = 2;

    private final ToolEnv env;
    private final ToolLog log;
    private Kernel kernel;
    private boolean verbose;
    private List<String> namesBefore;
    private ModuleTable symbols;

    private LegacyRmmod(ToolEnv env, ToolLog log) {
        this.env = env;
        this.log = log;
    }

    public static int run(String[] args) {
        return run(args, ToolEnv.standard());
    }

    public static int run(String[] args, ToolEnv env) {
        ToolLog log = new ToolLog("rmmod", env.out(), env.err());
        LegacyRmmod r = new LegacyRmmod(env, log);
        try {
            return r.main(args);
        } catch (LinkException e) {
            log.error(e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            log.error("internal error: " + e);
            return 1;
        } finally {
            ToolEnv.close(r.kernel);
            log.flush();
        }
    }

    private int main(String[] args) throws LinkException {
        Getopt g = ToolOptions.parse("rmmod", OPTIONS, args, env, USAGE);
        if (g == null) {
            return 1;
        }
        String target = null;
        for (Getopt.Opt o : g.options) {
            if (o.key().equals("target")) {
                target = o.arg();
            }
        }
        try {
            kernel = env.kernels().open(target);
        } catch (KernelException e) {
            log.error(e.getMessage());
            return 1;
        }
        // Collect the loaded modules before deletion: delete_module does not say what went.
        symbols = table(new ModuleQuery(false, false, true));
        namesBefore = symbols == null ? List.of() : symbols.names();
        boolean recursive = false, persistOnly = false;
        for (Getopt.Opt o : g.options) {
            switch (o.key()) {
                case "a":
                    return autoclean();
                case "e": persistOnly = true; break;
                case "h":
                    env.err().print(USAGE);
                    return 0;
                case "r": recursive = true; break;
                case "s": log.toSyslog("rmmod"); break;
                case "v": verbose = true; break;
                case "V": env.err().print("rmmod version " + ToolEnv.VERSION + "\n"); break;
                default: break;
            }
        }
        List<String> names = g.operands;
        if (persistOnly) {
            return savePersistent(names);
        }
        if (names.isEmpty()) {
            env.err().print(USAGE);
            return 1;
        }
        int ret = recursive ? removeStacks(names) : removeEach(names);
        snapshot();
        return ret;
    }

    /** get_kernel_info: errors are reported and the run goes on, as in the original (a lost link ends it). */
    private ModuleTable table(ModuleQuery q) throws LinkException {
        try {
            return kernel.moduleTable(q);
        } catch (LinkException e) {
            throw e;
        } catch (KernelException e) {
            log.error(e.getMessage());
            return null;
        }
    }

    private int autoclean() throws LinkException {
        saveAll();
        try {
            kernel.deleteModule(null);
        } catch (LinkException e) {
            throw e;
        } catch (KernelException e) {
            log.perror("rmmod", e.reason());
            snapshot();
            return 1;
        }
        snapshot();
        return 0;
    }

    private int removeEach(List<String> names) throws LinkException {
        int failed = 0;
        for (String name : names) {
            save(name);
            try {
                kernel.deleteModule(name);
            } catch (LinkException e) {
                throw e;
            } catch (KernelException e) {
                failed++;
                if (e.errno() == Errno.ENOENT) {
                    log.error("module " + name + " is not loaded");
                } else {
                    log.perror(name, e.reason());
                }
            }
        }
        return failed != 0 ? 1 : 0;
    }

    /** -r: remove the named modules and every module below them that only they use. */
    private int removeStacks(List<String> names) throws LinkException {
        ModuleTable t = table(ModuleQuery.STATUS);
        if (t == null) {
            return 1;
        }
        List<ModuleStatus> mods = t.modules();
        int[] status = new int[mods.size()];
        int ret = 0;
        for (String name : names) {
            int i = indexOf(mods, name);
            if (i < 0) {
                log.error("module " + name + " not loaded");
                ret = 1;
            } else {
                status[i] = WANT_TO_REMOVE;
            }
        }
        for (int i = 0; i < mods.size(); i++) {
            ModuleStatus m = mods.get(i);
            if (!m.users().isEmpty() || (status[i] & WANT_TO_REMOVE) != 0) {
                status[i] |= CAN_REMOVE;
            }
            for (String user : m.users()) {
                int u = indexOf(mods, user);
                int s = status[u];
                boolean ok = s == CAN_REMOVE || s == (WANT_TO_REMOVE | CAN_REMOVE)
                        || (s == WANT_TO_REMOVE && mods.get(u).users().isEmpty());
                if (!ok) {
                    status[i] &= ~CAN_REMOVE;
                }
            }
            if ((status[i] & CAN_REMOVE) != 0) {
                save(m.name());
                try {
                    kernel.deleteModule(m.name());
                } catch (LinkException e) {
                    throw e;
                } catch (KernelException e) {
                    log.error(m.name() + ": " + e.reason());
                    ret = 1;
                }
            } else if (status[i] == WANT_TO_REMOVE) {
                log.error(m.name() + " is in use");
                ret = 1;
            }
        }
        return ret;
    }

    private static int indexOf(List<ModuleStatus> mods, String name) {
        for (int i = 0; i < mods.size(); i++) {
            if (mods.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** -e: saves the persistent data of the modules named, or of all; removes nothing. */
    private int savePersistent(List<String> names) {
        if (names.isEmpty()) {
            saveAll();
        } else {
            names.forEach(this::save);
        }
        return 0;
    }

    private void saveAll() {
        for (String name : new ArrayList<>(namesBefore)) {
            save(name);
        }
    }

    /** save_persistent_data for one module (silent when it has none). */
    private void save(String module) {
        if (symbols == null) {
            return;
        }
        List<String> uname;
        long now;
        try {
            uname = ToolEnv.uname(kernel, env.env());
            now = ToolEnv.time(kernel);
        } catch (KernelException e) {
            log.error(e.getMessage());
            return;
        }
        PersistSave.save(new PersistSave.Request(module, symbols, kernel, uname, now, verbose,
                ProcessHandle.current().pid(), "rmmod"), log);
    }

    /** snap_shot: only when the list of modules changed (and there were modules before). */
    private void snapshot() throws LinkException {
        if (namesBefore.isEmpty()) {
            return;
        }
        ModuleTable now = table(ModuleQuery.NAMES);
        if (now != null && now.names().equals(namesBefore)) {
            return;
        }
        KsymoopsSnapshot.take(kernel, env.env(), log, KsymoopsSnapshot.RMMOD);
    }
}
