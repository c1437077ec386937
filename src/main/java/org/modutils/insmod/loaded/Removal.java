package org.modutils.insmod.loaded;

import java.nio.file.Files;
import org.modutils.insmod.sys.FileNames;
import java.util.ArrayList;
import java.util.List;
import org.modutils.insmod.kernel.KernelException;

/**
 * kmod's rmmod for one argument on a 2.6+ kernel: unless forced, refuse a module that is built
 * in, not loaded, held by another module or still in use; then delete_module with
 * {@code O_NONBLOCK} ({@code | O_TRUNC} when forced). Returns what happened; the tool prints it.
 */
public final class Removal {
    /** delete_module flags, as kmod passes them. */
    public static final int O_NONBLOCK = 04000;
    public static final int O_TRUNC = 01000;

    /** The kernel call, so tests can stand in for it. */
    public interface Deleter {
        void deleteModule(String name, int flags) throws KernelException;
    }

    /** One rmmod argument (a byte string): a module name or the path of a module file; force = -f. */
    public record Request(String arg, boolean force) {}

    /** Removed, or the error lines (kmod's texts, without the "rmmod: ERROR: " prefix). */
    public record Outcome(boolean removed, List<String> errors) {}

    private final LoadedModules loaded;
    private final Deleter deleter;
    private final java.util.function.Predicate<String> builtin;

    /** {@code builtin}: is a name listed in the running kernel's modules.builtin? */
    public Removal(LoadedModules loaded, Deleter deleter, java.util.function.Predicate<String> builtin) {
        this.loaded = loaded;
        this.deleter = deleter;
        this.builtin = builtin;
    }

    /** The module name of an argument: an existing file's base name, else the name, each up to its first '.', '-' as '_'. */
    public static String moduleName(String arg) {
        String base = exists(arg) ? arg.substring(arg.lastIndexOf('/') + 1) : arg;
        int dot = base.indexOf('.');
        return (dot >= 0 ? base.substring(0, dot) : base).replace('-', '_');
    }

    /** stat(2) on a byte-string name. */
    private static boolean exists(String name) {
        try {
            return Files.exists(FileNames.path(name));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    public Outcome remove(Request req) {
        String name = moduleName(req.arg());
        List<String> errors = new ArrayList<>();
        if (!req.force() && !checkUnused(name, errors)) return new Outcome(false, errors);
        try {
            deleter.deleteModule(name, O_NONBLOCK | (req.force() ? O_TRUNC : 0));
            return new Outcome(true, errors);
        } catch (KernelException e) {
            String why = e.reason();
            errors.add("could not remove module " + req.arg() + ": " + why);
            return new Outcome(false, errors);
        }
    }

    /** kmod's check_module_inuse; adds its message and returns false when the module must not go. */
    private boolean checkUnused(String name, List<String> errors) {
        if (builtin.test(name)) {
            errors.add("Module " + name + " is builtin.");
            return false;
        }
        if (loaded.state(name) == LoadedModules.State.ABSENT) {
            errors.add("Module " + name + " is not currently loaded");
            return false;
        }
        List<String> holders = loaded.holders(name);
        if (!holders.isEmpty()) {
            errors.add("Module " + name + " is in use by: " + String.join(" ", holders));
            return false;
        }
        int use = loaded.useCount(name);
        if (use > 0) {
            errors.add("Module " + name + " is in use");
            return false;
        }
        if (use == LoadedModules.NO_ENTRY) {
            errors.add("Module unloading is not supported");
            return false;
        }
        return use >= 0;
    }
}
