package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.modutils.insmod.loaded.LoadedModules;

/** What /sys/module says about a module, as libkmod reads it. */
public final class ModuleState {
    /** kmod's initstates, and ABSENT for a module the kernel does not know. */
    public enum State { LIVE, COMING, GOING, BUILTIN, ABSENT }

    private final Path sys;

    /** {@code sysModule}: the /sys/module directory (tests use a copy). */
    public ModuleState(Path sysModule) {
        this.sys = sysModule;
    }

    public State initstate(String name) {
        Path dir = sys.resolve(name);
        try {
            String s = Files.readString(dir.resolve("initstate")).trim();
            switch (s) {
                case "live": return State.LIVE;
                case "coming": return State.COMING;
                case "going": return State.GOING;
                default: return State.ABSENT;
            }
        } catch (IOException e) {
            return Files.isDirectory(dir) ? State.BUILTIN : State.ABSENT;
        }
    }

    /** /sys/module/NAME/refcnt, or -1 when unknown. */
    public int refcnt(String name) {
        try {
            return Integer.parseInt(Files.readString(sys.resolve(name).resolve("refcnt")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The modules in /sys/module/NAME/holders, in directory order (kmod_module_get_holders); empty when none. */
    public List<String> holders(String name) {
        return LoadedModules.entries(sys.resolve(name).resolve("holders"));
    }

    /** Loaded or built in: what kmod treats as already in the kernel. */
    public boolean inKernel(String name) {
        State s = initstate(name);
        return s == State.LIVE || s == State.COMING || s == State.BUILTIN;
    }
}
