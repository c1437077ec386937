package org.modutils.insmod.module;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.modutils.insmod.elf.ElfSource;

/**
 * What one run asks of the 2.4 linker, in named parts. Build one with {@link #builder}; every
 * part not set keeps the original's default (export and ksymoops symbols on, the lock taken,
 * persistdir /var/lib/modules/persist). How the result is shown (-m, -O) is the tool's business
 * and not part of the request.
 *
 * @param module      the object and how it is named
 * @param moduleName  the internal module name (-o, else from the file name)
 * @param args        the arguments after the module (only those with '=' count)
 * @param kernel      the kernel the image is for
 * @param options     the switches that change the linking or loading
 * @param prefix      -P: the symbol version prefix, or null to derive it
 * @param persist     -e: the persistent-data file ("" = derive it from persistDir), or null
 * @param persistDir  persistdir= from the configuration
 * @param modulePaths the module search directories (to make -e "" relative)
 */
public record LoadRequest(ModuleFile module, String moduleName, List<String> args, KernelInfo kernel,
                          Set<Option> options, String prefix, String persist, String persistDir,
                          List<String> modulePaths) {

    /**
     * The module object.
     *
     * @param name     the module path as insmod names it in messages
     * @param realPath the file for the _O ksymoops symbol (null: not resolvable)
     * @param mtime    its modification time in seconds
     * @param object   the object's bytes (decompressed), read as the linker needs them
     */
    public record ModuleFile(String name, Path realPath, long mtime, ElfSource object) {}

    /**
     * The kernel the image goes to.
     *
     * @param release      uname -r (the version the module is checked against)
     * @param version      uname -v (an SMP second word selects the smp_ prefix)
     * @param requiredArch uname -m (null: not known, no check)
     */
    public record KernelInfo(String release, String version, String requiredArch) {}

    /** The switches of a 2.4 load, named after the original's flags. */
    public enum Option {
        /** -n: link at a dummy address, load nothing. */
        NOLOAD,
        /** -p: check that the module would load, stop before the kernel. */
        PROBE,
        /** -f: load despite a version mismatch. */
        FORCE,
        /** -k: set the autoclean flag. */
        AUTOCLEAN,
        /** -q: no list of unresolved symbols, no version mismatch message. */
        QUIET,
        /** -v */
        VERBOSE,
        /** export all globals when the module has no symbol table (-x turns it off). */
        EXPORT,
        /** add the __insmod_ ksymoops symbols (-y turns it off). */
        KSYMOOPS,
        /** -S: add kallsyms even when the kernel has none. */
        KALLSYMS,
        /** -N: compare only the numeric part of the kernel version. */
        NUMERIC_VERSION,
        /** -L: an EEXIST from a concurrent insmod is success. */
        LOCK
    }

    public LoadRequest {
        args = List.copyOf(args);
        modulePaths = List.copyOf(modulePaths);
        options = options.isEmpty() ? EnumSet.noneOf(Option.class) : EnumSet.copyOf(options);
    }

    public boolean has(Option o) {
        return options.contains(o);
    }

    public String fileName() {
        return module.name();
    }

    public boolean noload() {
        return has(Option.NOLOAD);
    }

    public boolean verbose() {
        return has(Option.VERBOSE);
    }

    public static Builder builder(String fileName, ElfSource object) {
        return new Builder(fileName, object);
    }

    public static Builder builder(String fileName, byte[] object) {
        return new Builder(fileName, ElfSource.of(object));
    }

    /** Named parts with the original's defaults. */
    public static final class Builder {
        private final String fileName;
        private final ElfSource object;
        private Path realPath;
        private long mtime;
        private String moduleName;
        private List<String> args = List.of();
        private String release = "";
        private String version = "";
        private String requiredArch;
        private final EnumSet<Option> options = EnumSet.of(Option.EXPORT, Option.KSYMOOPS, Option.LOCK);
        private String prefix;
        private String persist;
        private String persistDir = "/var/lib/modules/persist";
        private List<String> modulePaths = List.of();

        private Builder(String fileName, ElfSource object) {
            this.fileName = fileName;
            this.object = object;
        }

        /** The resolved file and its modification time (for the ksymoops _O symbol). */
        public Builder realPath(Path path, long mtimeSeconds) {
            this.realPath = path;
            this.mtime = mtimeSeconds;
            return this;
        }

        /** -o, else the name comes from the file name. */
        public Builder moduleName(String name) { this.moduleName = name; return this; }

        public Builder args(List<String> a) { this.args = a; return this; }

        /** uname -r and -v. */
        public Builder kernel(String unameRelease, String unameVersion) {
            this.release = unameRelease;
            this.version = unameVersion;
            return this;
        }

        /** uname -m (null: no check). */
        public Builder requiredArch(String unameMachine) { this.requiredArch = unameMachine; return this; }

        public Builder option(Option o, boolean on) {
            if (on) {
                options.add(o);
            } else {
                options.remove(o);
            }
            return this;
        }

        public Builder noload(boolean on) { return option(Option.NOLOAD, on); }

        public Builder verbose(boolean on) { return option(Option.VERBOSE, on); }

        /** -P. */
        public Builder prefix(String p) { this.prefix = p; return this; }

        /** -e FILE ("" to derive it) and the configuration's persistdir and search directories. */
        public Builder persist(String file, String dir, List<String> searchDirs) {
            this.persist = file;
            this.persistDir = dir;
            this.modulePaths = searchDirs;
            return this;
        }

        public LoadRequest build() {
            String name = moduleName != null ? moduleName : fileName;
            return new LoadRequest(new ModuleFile(fileName, realPath, mtime, object), name, args,
                    new KernelInfo(release, version, requiredArch), options, prefix, persist, persistDir,
                    modulePaths);
        }
    }
}
