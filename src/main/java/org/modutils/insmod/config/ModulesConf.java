package org.modutils.insmod.config;

import org.modutils.insmod.report.Report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What insmod takes from the configuration: the module search list, the persist directory,
 * {@code insmod_opt=} and the prune list. Read with {@link #read(ConfigContext, Report)}, the
 * equivalent of the original's {@code config_read(0, ...)} (insmod's subset: "all = 0").
 *
 * <h2>The search list</h2>
 * If {@code MODPATH} is set, its colon-separated entries (empty ones skipped) are the list, in
 * order; in each entry {@code %s} becomes the release and {@code %%} a percent sign; an
 * entry's tag is its last path component. An empty {@code MODPATH} means an empty list.
 * Otherwise the defaults, in the original's order: {@code /lib/modules/boot} [boot],
 * {@code /lib/modules/<release>} [toplevel], {@code /lib/modules/<major.minor>} [toplevel],
 * then {@code /lib/modules/<type>} [type] for each of kernel fs net scsi block cdrom ipv4 ipv6
 * sound fc4 video misc pcmcia atm usb ide ieee1394 mtd.
 *
 * <h2>The file</h2>
 * {@code $MODULECONFIG} (what the original's code reads), else {@code $MODULECONF} (what its
 * manual names), else {@code /etc/modules.conf}, else {@code /etc/conf.modules} with the
 * original's deprecation warning (and the warnings when both exist). No file is fine; a named
 * file that cannot be opened is an error ({@code Can't open FILE}).
 *
 * <h2>Lines insmod acts on</h2>
 * {@code path[tag]=dir...} (the first one in a file drops everything collected so far unless
 * {@code keep} came before it in that file; no tag means "misc"; the value is expanded and may
 * give several directories), {@code keep}, {@code include FILE} (expanded; every match of a
 * glob is read, sorted; nesting up to 20 deep), {@code if/elseif/else/endif} (up to 20 deep;
 * {@code -k}, {@code -f FILE}, {@code -n} numeric and string comparisons
 * {@code == = != < <= > >=}, negation with {@code !}), {@code define NAME VALUE},
 * {@code persistdir=DIR}, {@code insmod_opt=OPTIONS}, {@code prune NAME}, and the generated
 * files' names {@code depfile=}, {@code pcimapfile=}... ({@link #generatedFile}). An optional
 * {@code add} before a keyword is skipped. Values expand as {@link MetaExpander} says.
 * Every other line is ignored without a word, as the original does for insmod; read for
 * modprobe ({@link #readForModprobe}) the modprobe keywords go to {@link ModprobeRules} and any
 * other line is an error.
 *
 * <h2>Errors</h2>
 * Unbalanced {@code else/elseif/endif}, too deep nesting, a command that cannot be run and an
 * unreadable named file stop reading that file with an error; a failed include is reported
 * ({@code include X failed}) and reading goes on. When reading failed, the reader also reports
 * {@code Failed handle configuration} as the original's insmod does, and {@link #failed()} is
 * true; the search list collected so far is still usable (the original searches with it).
 *
 * <h2>Differences from 2.4.16, on purpose</h2>
 * An {@code if} inside a false block is not evaluated and its lines stay off (the original
 * could switch them on); {@code !} negates {@code -k} too; an {@code include} glob reads every
 * match (2.4.21's "include with globbing") and a glob that matches nothing includes nothing;
 * a root prefix, when set, goes in front of every absolute directory a {@code path} line
 * yields (the original's base_dir was put in front of the value's text as a whole).
 */
public final class ModulesConf {
    /** The original's default persistdir. */
    public static final String DEFAULT_PERSISTDIR = "/var/lib/modules/persist";

    /** The type directories, "kernel" first (modutils util/alias.h tbtype). */
    public static final List<String> TYPES = List.of("kernel", "fs", "net", "scsi", "block", "cdrom",
            "ipv4", "ipv6", "sound", "fc4", "video", "misc", "pcmcia", "atm", "usb", "ide", "ieee1394", "mtd");

    /** Names skipped at the top of a "type 1" directory walk (modutils util/alias.h prune). */
    public static final List<String> DEFAULT_PRUNE = List.of("modules.dep", "modules.generic_string",
            "modules.pcimap", "modules.isapnpmap", "modules.usbmap", "modules.parportmap",
            "modules.ieee1394map", "modules.pnpbiosmap", "System.map", ".config", "build", "vmlinux",
            "vmlinuz", "bzImage", "zImage", ".rhkmvtag");

    /** The generated files, in modutils' gen_file order: {@code modules.X}, named by {@code Xfile=}. */
    public static final List<String> GENERATED = List.of("generic_string", "pcimap", "isapnpmap", "usbmap",
            "parportmap", "ieee1394map", "pnpbiosmap", "dep");

    private final List<SearchPath> paths;
    private final String persistDir;
    private final List<String> insmodOpts;
    private final List<String> prune;
    private final Path file;
    private final boolean failed;
    private final Map<String, String> generated;
    private final ModprobeRules rules;

    private ModulesConf(ConfReader r, boolean failed) {
        this.paths = List.copyOf(r.paths);
        this.persistDir = r.persistDir;
        this.insmodOpts = List.copyOf(r.insmodOpts);
        this.prune = List.copyOf(r.prune);
        this.file = r.file;
        this.failed = failed;
        this.generated = Map.copyOf(r.genFiles);
        this.rules = r.rules;
    }

    /**
     * Reads the configuration for insmod. Messages go to {@code out} (see the class comment);
     * this never throws for bad input.
     */
    public static ModulesConf read(ConfigContext ctx, Report out) {
        ConfReader r = new ConfReader(ctx, out, false);
        boolean ok = r.run();
        if (!ok) {
            out.error("Failed handle configuration");
        }
        return new ModulesConf(r, !ok);
    }

    /**
     * Reads the configuration as modutils 2.4's modprobe does ({@code config_read(1, ...)}):
     * every keyword counts, an unknown line is an error ({@code Invalid line N in FILE}) and
     * reading goes on; {@link #failed()} tells whether any error was reported.
     */
    public static ModulesConf readForModprobe(ConfigContext ctx, Report out) {
        ConfReader r = new ConfReader(ctx, out, true);
        boolean ok = r.run();
        return new ModulesConf(r, !ok);
    }

    /**
     * The name of a generated file ({@link #GENERATED}): {@code Xfile=} of the configuration
     * (expanded, under the root), else {@code ROOT/lib/modules/RELEASE/modules.X}.
     */
    public String generatedFile(String base) {
        String name = generated.get(base);
        if (name == null) {
            throw new IllegalArgumentException("not a generated file: " + base);
        }
        return name;
    }

    /** The modprobe lists and commands (empty but for nothing when read for insmod). */
    public ModprobeRules modprobeRules() {
        return rules;
    }

    /** The directories to search, in order. */
    public List<SearchPath> paths() {
        return paths;
    }

    /** {@code persistdir=} (expanded), default {@value #DEFAULT_PERSISTDIR}. */
    public String persistDir() {
        return persistDir;
    }

    /**
     * The last {@code insmod_opt=} value, unexpanded, as the original keeps it. It only
     * matters when modprobe runs insmod; insmod itself does not apply it.
     */
    public Optional<String> insmodOpt() {
        return insmodOpts.isEmpty() ? Optional.empty() : Optional.of(insmodOpts.get(insmodOpts.size() - 1));
    }

    /** Every {@code insmod_opt=} value read, in order. */
    public List<String> insmodOpts() {
        return insmodOpts;
    }

    /** Names skipped at the top level of a "type 1" directory during the tree walk. */
    public List<String> pruneList() {
        return prune;
    }

    /** The top-level configuration file actually read, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** True when the original's config_read would have returned -1. */
    public boolean failed() {
        return failed;
    }
}
