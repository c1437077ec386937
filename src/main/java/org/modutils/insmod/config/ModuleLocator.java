package org.modutils.insmod.config;

import org.modutils.insmod.report.Report;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds the module file for insmod's first argument, as modutils 2.4's
 * {@code search_module_path} / {@code config_lstmod} do.
 *
 * <p>Only an argument with neither {@code /} nor {@code .} is searched for; anything else is
 * a path, opened as given. A search tries the name with each suffix in turn, "" then
 * {@code .o} then {@code .o.gz} as the original, then (beyond it) {@code .ko},
 * {@code .ko.gz}, {@code .ko.xz}, {@code .ko.zst}; each try runs over the whole search list,
 * and for every directory D with tag T looks at {@code D/T/name}, then {@code D/name}, then
 * walks D ({@link TreeWalk}). The first match wins. A name with glob characters
 * ({@code * ? [ ]}) skips the two guesses and matches file names in the walk by pattern; a
 * name with other shell characters finds nothing (the original never runs a shell for it).
 *
 * <p>A candidate must be a regular file readable by its owner; with the root check on (the
 * default; every {@code -r} toggles it) it must also be owned by uid 0, else
 * {@code <path> is not owned by root} is reported (once per path; the original could say it
 * twice) and the search goes on.
 */
public final class ModuleLocator {
    /** The suffixes tried, in order. */
    public static final List<String> SUFFIXES = List.of("", ".o", ".o.gz", ".ko", ".ko.gz", ".ko.xz", ".ko.zst");

    private final ModulesConf conf;
    private final boolean rootCheck;
    private final Report out;
    private final Set<String> reportedNotRoot = new HashSet<>();

    /**
     * @param conf      the configuration read for this run
     * @param rootCheck true unless {@code -r} was given an odd number of times
     * @param out       receives "is not owned by root", walk errors, "Using", "no module by
     *                  that name found"
     */
    public ModuleLocator(ModulesConf conf, boolean rootCheck, Report out) {
        this.conf = conf;
        this.rootCheck = rootCheck;
        this.out = out;
    }

    /** True when insmod would search for {@code arg} rather than open it: no '/' and no '.'. */
    public static boolean searches(String arg) {
        return arg.indexOf('/') < 0 && arg.indexOf('.') < 0;
    }

    /**
     * insmod's "locate the file to be loaded" step. For a bare name: the search, then
     * {@code Using <path>} (info) when found or {@code <name>: no module by that name found}
     * (error) when not. For a path: the path itself, with {@code Using <path>} only when
     * {@code verbose}; whether it exists is for the caller to find out when opening it.
     *
     * @return the file to open, or empty when the search found nothing (exit status 1)
     */
    public Optional<Path> locate(String arg, boolean verbose) {
        return locateName(arg, verbose).map(Path::of);
    }

    /**
     * {@link #locate} giving the file's name as text: {@code arg} exactly as typed when it is a
     * path (a "//" in it stays, as in the original's messages), else what the search found.
     */
    public Optional<String> locateName(String arg, boolean verbose) {
        if (!searches(arg)) {
            if (verbose) {
                out.info("Using " + arg);
            }
            return Optional.of(arg);
        }
        Optional<String> found = searchText(arg);
        if (found.isEmpty()) {
            out.error(arg + ": no module by that name found");
            return Optional.empty();
        }
        // A name from the directory walk, in the byte form of every other name (see FileNames).
        String name = new String(found.get().getBytes(org.modutils.insmod.sys.FileNames.platformCharset()),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        out.info("Using " + name);
        return Optional.of(name);
    }

    /** The search alone, without the Using / not-found messages. */
    public Optional<Path> search(String name) {
        return searchText(name).map(Path::of);
    }

    private Optional<String> searchText(String name) {
        for (String suffix : SUFFIXES) {
            Optional<String> r = pass(name + suffix);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    /** One config_lstmod(match, NULL, first_only = 1). */
    private Optional<String> pass(String match) {
        Optional<Predicate<String>> test = nameTest(match);
        if (test.isEmpty()) {
            return Optional.empty();
        }
        boolean meta = MetaExpander.hasShellMeta(match);
        FirstMatch first = new FirstMatch(test.get());
        TreeWalk walk = new TreeWalk(ModulesConf.TYPES, conf.pruneList(), out);
        for (SearchPath sp : conf.paths()) {
            if (!meta) {
                for (String guess : new String[] {sp.dir() + "/" + sp.type() + "/" + match, sp.dir() + "/" + match}) {
                    FileStat st = statOrNull(guess);
                    if (st != null && first.matches(guess, st)) {
                        return Optional.of(guess);
                    }
                }
            }
            int r = walk.walk(sp.dir(), first);
            if (first.found != null) {
                return Optional.of(first.found);
            }
            if (r != TreeWalk.DONE) {
                return Optional.empty(); // the original gives up this try on a walk error
            }
        }
        return Optional.empty();
    }

    /**
     * How a file's base name is compared with {@code match}: exactly, as a glob, or (a name
     * with other shell characters) not at all, which is empty.
     */
    private static Optional<Predicate<String>> nameTest(String match) {
        if (!MetaExpander.hasShellMeta(match)) {
            return Optional.of(match::equals);
        }
        if (MetaExpander.globOnly(match)) {
            return Optional.ofNullable(glob(match));
        }
        if (!MetaExpander.hasAny(match, "&();|<>$`\"'\\!{}~+:[]?*")) {
            return Optional.of(match::equals); // only '=' in it: taken literally
        }
        return Optional.empty();
    }

    /** The walk's visitor for one try: stops at, and keeps, the first file that fits. */
    private final class FirstMatch implements TreeWalk.Visitor {
        private final Predicate<String> nameMatches;
        private String found;

        FirstMatch(Predicate<String> nameMatches) {
            this.nameMatches = nameMatches;
        }

        /** A regular file with the right base name that passes config_add's checks. */
        boolean matches(String path, FileStat st) {
            if (!st.isRegular()) {
                return false;
            }
            int slash = path.lastIndexOf('/');
            return nameMatches.test(slash >= 0 ? path.substring(slash + 1) : path) && accept(path, st);
        }

        @Override
        public boolean visit(String path, FileStat st) {
            if (!matches(path, st)) {
                return false;
            }
            found = path;
            return true;
        }
    }

    /**
     * config_lstmod(NULL, NULL, 0), what depmod -a loads: every regular file the walk of each
     * search directory offers (readable by its owner; owned by root unless the check is off),
     * each path once, in walk order.
     */
    public List<String> listAll() {
        return list("*", null);
    }

    /**
     * config_lstmod(match, type, 0), what modprobe -l and -t list: every regular file of the
     * search directories' walks whose name is {@code match} ("*" for all; a name with glob
     * characters matches as a pattern), and with {@code type} only paths holding
     * {@code /TYPE/}; each path once, in walk order.
     */
    public List<String> list(String match, String type) {
        Predicate<String> name = match.equals("*") ? base -> true : namePattern(match);
        if (name == null) {
            return List.of();
        }
        java.util.LinkedHashSet<String> found = new java.util.LinkedHashSet<>();
        TreeWalk.Visitor v = (path, st) -> {
            String base = path.substring(path.lastIndexOf('/') + 1);
            if (st.isRegular() && name.test(base) && (type == null || path.contains("/" + type + "/"))
                    && accept(path, st)) {
                found.add(path);
            }
            return false;
        };
        TreeWalk walk = new TreeWalk(ModulesConf.TYPES, conf.pruneList(), out);
        for (SearchPath sp : conf.paths()) {
            walk.walk(sp.dir(), v);
        }
        return List.copyOf(found);
    }

    /** A name to match exactly, or a glob pattern; null for a pattern that does not compile. */
    private static Predicate<String> namePattern(String match) {
        return MetaExpander.globOnly(match) ? glob(match) : match::equals;
    }

    /** A base name test for the glob {@code match}; null for a pattern that does not compile. */
    private static Predicate<String> glob(String match) {
        try {
            PathMatcher pm = FileSystems.getDefault().getPathMatcher("glob:" + match);
            return base -> pm.matches(Path.of(base));
        } catch (RuntimeException bad) {
            return null;
        }
    }

    /** config_add's checks on a candidate that has the right name. */
    private boolean accept(String path, FileStat st) {
        if (!st.isRegular() || (st.mode() & FileStat.S_IRUSR) == 0) {
            return false;
        }
        if (rootCheck && st.uid() != 0) {
            if (reportedNotRoot.add(path)) {
                out.error(path + " is not owned by root");
            }
            return false;
        }
        return true;
    }

    private static FileStat statOrNull(String path) {
        try {
            return FileStat.of(path, true);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
