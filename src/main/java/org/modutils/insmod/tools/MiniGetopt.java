package org.modutils.insmod.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * glibc getopt_long for kmod-style tools given as an optstring ("ab:c") and a table of long
 * names: clustered short options, attached or separate arguments, unambiguous long prefixes,
 * "--" ends options, operands permuted to the end. Errors carry glibc's wording.
 */
final class MiniGetopt {
    /** A usage error with glibc's message, without the program name. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message, null, false, false);
        }
    }

    /** Each option as {key, argument-or-null}, in order; a long option adds its full name as a third element. */
    final List<String[]> options = new ArrayList<>();
    final List<String> operands = new ArrayList<>();

    private MiniGetopt() {}

    /** {@code longs}: {name, "x"} or {name, "x:"} (takes an argument), x being the short key. */
    static MiniGetopt parse(String shorts, String[][] longs, String[] argv) throws UsageError {
        MiniGetopt g = new MiniGetopt();
        int i = 0;
        while (i < argv.length) {
            String a = argv[i++];
            if (a.equals("--")) {
                while (i < argv.length) g.operands.add(argv[i++]);
                break;
            }
            if (a.startsWith("--")) {
                i = g.longOption(a.substring(2), longs, argv, i);
            } else if (a.startsWith("-") && a.length() > 1) {
                i = g.shortOptions(a, shorts, argv, i);
            } else {
                g.operands.add(a);
            }
        }
        return g;
    }

    private int longOption(String body, String[][] longs, String[] argv, int i) throws UsageError {
        int eq = body.indexOf('=');
        String name = eq >= 0 ? body.substring(0, eq) : body;
        String[] hit = null;
        List<String[]> prefixed = new ArrayList<>();
        for (String[] l : longs) {
            if (l[0].equals(name)) hit = l;
            else if (!name.isEmpty() && l[0].startsWith(name)) prefixed.add(l);
        }
        if (hit == null && prefixed.size() > 1) {
            String key = prefixed.get(0)[1];
            boolean same = prefixed.stream().allMatch(l -> l[1].equals(key));
            if (!same) {
                StringBuilder sb = new StringBuilder("option '--" + name + "' is ambiguous; possibilities:");
                for (String[] l : prefixed) sb.append(" '--").append(l[0]).append('\'');
                throw new UsageError(sb.toString());
            }
        }
        if (hit == null && !prefixed.isEmpty()) hit = prefixed.get(0);
        if (hit == null) throw new UsageError("unrecognized option '--" + body + "'");
        boolean takesArg = hit[1].endsWith(":");
        String key = hit[1].substring(0, 1);
        String val = null;
        if (takesArg) {
            if (eq >= 0) val = body.substring(eq + 1);
            else if (i < argv.length) val = argv[i++];
            else throw new UsageError("option '--" + hit[0] + "' requires an argument");
        } else if (eq >= 0) {
            throw new UsageError("option '--" + hit[0] + "' doesn't allow an argument");
        }
        options.add(new String[] {key, val, hit[0]});
        return i;
    }

    private int shortOptions(String a, String shorts, String[] argv, int i) throws UsageError {
        for (int k = 1; k < a.length(); k++) {
            char c = a.charAt(k);
            int at = c == ':' ? -1 : shorts.indexOf(c);
            if (at < 0) throw new UsageError("invalid option -- '" + c + "'");
            boolean takesArg = at + 1 < shorts.length() && shorts.charAt(at + 1) == ':';
            String val = null;
            if (takesArg) {
                if (k + 1 < a.length()) val = a.substring(k + 1);
                else if (i < argv.length) val = argv[i++];
                else throw new UsageError("option requires an argument -- '" + c + "'");
                k = a.length();
            }
            options.add(new String[] {String.valueOf(c), val});
        }
        return i;
    }
}
