package org.modutils.insmod.tools;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * glibc getopt_long over an option table: clustered short options, arguments attached or
 * separate, "--" ends options, and operands permuted to the end (so "insmod foo.o -v" works as
 * it did). Errors are reported with glibc's wording.
 *
 * <p>Long options come in two kinds. Those of the original program ({@code abbreviable}, in the
 * order of its {@code struct option} table) resolve exactly as glibc resolved them: an exact
 * name wins, a unique prefix matches, and a prefix shared by entries that differ in argument or
 * meaning is ambiguous, listing those entries. Every other long option of {@code table} (ours)
 * matches only when typed in full, so it can neither capture an abbreviation the original
 * accepted nor appear in one of its ambiguity lists; none of our names is a prefix of one of the
 * original's, so a full name of ours was "unrecognized" to the original.
 */
public final class Getopt {
    /** One parsed option: its key (short letter, or long name for long-only options) and argument. */
    public record Opt(String key, String arg) {}

    /** One entry of the original's long-option table: name, the key it stands for, has_arg. */
    public record LongOpt(String name, String key, boolean hasArg) {}

    /** A usage error with glibc's message (without the "insmod: " prefix). */
    public static final class UsageError extends Exception {
        public UsageError(String message) {
            super(message);
        }
    }

    public final List<Opt> options = new ArrayList<>();
    public final List<String> operands = new ArrayList<>();

    /** For callers that look at the options only after parsing (an anonymous class: no lambda bootstrap at start-up). */
    public static final java.util.function.Consumer<Opt> IGNORE = new java.util.function.Consumer<Opt>() {
        @Override
        public void accept(Opt o) {}
    };

    private Getopt() {}

    /** Parses with every long option of {@code table} abbreviable (plain getopt_long). */
    public static Getopt parse(Options table, String[] argv, java.util.function.Consumer<Opt> onOption) throws UsageError {
        List<LongOpt> all = new ArrayList<>();
        for (Option o : table.getOptions()) {
            if (o.getLongOpt() != null) {
                all.add(new LongOpt(o.getLongOpt(), key(o), o.hasArg()));
            }
        }
        return parse(table, all, argv, onOption);
    }

    /**
     * Parses; {@code onOption} sees each option in order (for -V and -h that act at once).
     * {@code abbreviable}: the original's long options (see the class comment).
     */
    public static Getopt parse(Options table, List<LongOpt> abbreviable, String[] argv,
                        java.util.function.Consumer<Opt> onOption) throws UsageError {
        return parse(table, abbreviable, false, argv, onOption);
    }

    /**
     * {@code requireOrder}: glibc's REQUIRE_ORDER, what POSIXLY_CORRECT in the environment
     * selects: options end at the first operand instead of being collected from everywhere.
     */
    public static Getopt parse(Options table, List<LongOpt> abbreviable, boolean requireOrder, String[] argv,
                        java.util.function.Consumer<Opt> onOption) throws UsageError {
        Getopt g = new Getopt();
        int i = 0;
        while (i < argv.length) {
            String a = argv[i++];
            if (a.equals("--") || (requireOrder && !(a.startsWith("-") && a.length() > 1))) {
                if (!a.equals("--")) {
                    g.operands.add(a);
                }
                while (i < argv.length) {
                    g.operands.add(argv[i++]);
                }
                break;
            }
            if (a.startsWith("--")) {
                String body = a.substring(2);
                int eq = body.indexOf('=');
                LongOpt o = findLong(table, abbreviable, body, eq >= 0 ? body.substring(0, eq) : body);
                String val = null;
                if (o.hasArg()) {
                    if (eq >= 0) {
                        val = body.substring(eq + 1);
                    } else if (i < argv.length) {
                        val = argv[i++];
                    } else {
                        throw new UsageError("option '--" + o.name() + "' requires an argument");
                    }
                } else if (eq >= 0) {
                    throw new UsageError("option '--" + o.name() + "' doesn't allow an argument");
                }
                Opt opt = new Opt(o.key(), val);
                g.options.add(opt);
                onOption.accept(opt);
            } else if (a.startsWith("-") && a.length() > 1) {
                i = shortOptions(g, table, a, argv, i, onOption);
            } else {
                g.operands.add(a);
            }
        }
        return g;
    }

    /** One argument of clustered short options; returns the index of the next argument. */
    private static int shortOptions(Getopt g, Options table, String a, String[] argv, int i,
                                    java.util.function.Consumer<Opt> onOption) throws UsageError {
        for (int k = 1; k < a.length(); k++) {
            String c = String.valueOf(a.charAt(k));
            Option o = table.getOption(c);
            if (o == null || o.getOpt() == null || !o.getOpt().equals(c)) {
                throw new UsageError("invalid option -- '" + c + "'");
            }
            String val = null;
            if (o.hasArg()) {
                if (k + 1 < a.length()) {
                    val = a.substring(k + 1);
                } else if (i < argv.length) {
                    val = argv[i++];
                } else {
                    throw new UsageError("option requires an argument -- '" + c + "'");
                }
                k = a.length();
            }
            Opt opt = new Opt(c, val);
            g.options.add(opt);
            onOption.accept(opt);
        }
        return i;
    }

    private static String key(Option o) {
        return o.getOpt() != null ? o.getOpt() : o.getLongOpt();
    }

    /** {@code body}: the argument after "--" (with any "=value", as glibc quotes it); {@code name}: before '='. */
    private static LongOpt findLong(Options table, List<LongOpt> abbreviable, String body, String name)
            throws UsageError {
        if (!name.isEmpty()) {
            for (Option o : table.getOptions()) {
                if (name.equals(o.getLongOpt()) && !listed(abbreviable, name)) {
                    return new LongOpt(name, key(o), o.hasArg());
                }
            }
        }
        LongOpt found = null;
        List<LongOpt> ambiguous = null;
        for (LongOpt o : abbreviable) {
            if (!o.name().startsWith(name)) {
                continue;
            }
            if (o.name().length() == name.length()) {
                return o;
            }
            if (found == null) {
                found = o;
            } else if (!found.key().equals(o.key()) || found.hasArg() != o.hasArg()) {
                if (ambiguous == null) {
                    ambiguous = new ArrayList<>();
                    ambiguous.add(found);
                }
                ambiguous.add(o);
            }
        }
        if (ambiguous != null) {
            StringBuilder sb = new StringBuilder("option '--" + body + "' is ambiguous; possibilities:");
            for (LongOpt o : ambiguous) {
                sb.append(" '--").append(o.name()).append('\'');
            }
            throw new UsageError(sb.toString());
        }
        if (found == null) {
            throw new UsageError("unrecognized option '--" + body + "'");
        }
        return found;
    }

    private static boolean listed(List<LongOpt> abbreviable, String name) {
        for (LongOpt o : abbreviable) {
            if (o.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
