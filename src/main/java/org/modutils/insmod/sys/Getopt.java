package org.modutils.insmod.sys;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * glibc getopt_long over an option table: clustered short options, arguments attached or
 * separate, unambiguous long-name prefixes, "--" ends options, and operands permuted to the end
 * (so "insmod foo.o -v" works as it did). Errors are reported with glibc's wording. Public for
 * every tool of the family (cli, tools).
 */
public final class Getopt {
    /** One parsed option: its key (short letter, or long name for long-only options) and argument. */
    public record Opt(String key, String arg) {}

    /** A usage error with glibc's message (without the "insmod: " prefix). */
    public static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    public final List<Opt> options = new ArrayList<>();
    public final List<String> operands = new ArrayList<>();

    private Getopt() {}

    /** Parses; {@code onOption} sees each option in order (for -V and -h that act at once). */
    public static Getopt parse(Options table, String[] argv, java.util.function.Consumer<Opt> onOption) throws UsageError {
        Getopt g = new Getopt();
        int i = 0;
        while (i < argv.length) {
            String a = argv[i++];
            if (a.equals("--")) {
                while (i < argv.length) {
                    g.operands.add(argv[i++]);
                }
                break;
            }
            if (a.startsWith("--")) {
                String body = a.substring(2);
                int eq = body.indexOf('=');
                String name = eq >= 0 ? body.substring(0, eq) : body;
                Option o = findLong(table, name);
                String key = o.getOpt() != null ? o.getOpt() : o.getLongOpt();
                String val = null;
                if (o.hasArg()) {
                    if (eq >= 0) {
                        val = body.substring(eq + 1);
                    } else if (i < argv.length) {
                        val = argv[i++];
                    } else {
                        throw new UsageError("option '--" + o.getLongOpt() + "' requires an argument");
                    }
                } else if (eq >= 0) {
                    throw new UsageError("option '--" + o.getLongOpt() + "' doesn't allow an argument");
                }
                Opt opt = new Opt(key, val);
                g.options.add(opt);
                onOption.accept(opt);
            } else if (a.startsWith("-") && a.length() > 1) {
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
            } else {
                g.operands.add(a);
            }
        }
        return g;
    }

    private static Option findLong(Options table, String name) throws UsageError {
        Option exact = null;
        List<Option> prefixed = new ArrayList<>();
        for (Option o : table.getOptions()) {
            String l = o.getLongOpt();
            if (l == null) {
                continue;
            }
            if (l.equals(name)) {
                exact = o;
            } else if (!name.isEmpty() && l.startsWith(name)) {
                prefixed.add(o);
            }
        }
        if (exact != null) {
            return exact;
        }
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.isEmpty()) {
            throw new UsageError("unrecognized option '--" + name + "'");
        }
        StringBuilder sb = new StringBuilder("option '--" + name + "' is ambiguous; possibilities:");
        for (Option o : prefixed) {
            sb.append(" '--").append(o.getLongOpt()).append('\'');
        }
        throw new UsageError(sb.toString());
    }
}
