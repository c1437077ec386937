package org.modutils.insmod.tools;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.modutils.insmod.sys.Getopt;

/** Option tables of the 2.4 tools: the original's getopt_long letters and names, plus --target. */
final class ToolOptions {
    private ToolOptions() {}

    /** A table from "letter:long" pairs (letter "-" for long-only), each without an argument, plus --target=SPEC. */
    static Options of(String... pairs) {
        Options o = new Options();
        for (String p : pairs) {
            String[] lp = p.split(":", 2);
            o.addOption(Option.builder(lp[0].equals("-") ? null : lp[0]).longOpt(lp[1]).build());
        }
        o.addOption(Option.builder().longOpt("target").hasArg().build());
        return o;
    }

    /** The parsed command line, or null after "program: reason" and the usage on stderr. */
    static Getopt parse(String program, Options table, String[] args, ToolEnv env, String usage) {
        try {
            return Getopt.parse(table, args, Getopt.IGNORE);
        } catch (Getopt.UsageError e) {
            env.err().print(program + ": " + e.getMessage() + "\n" + usage);
            return null;
        }
    }

    /** A tool's body, given its parsed command line and its log. */
    interface Body {
        int run(Getopt g, ToolLog log);
    }

    /**
     * Runs a tool guarded by its log ({@link ToolLog#guarded}): the command line parsed (exit
     * status 1 after the reason and the usage when it does not parse), then the body.
     */
    static int run(String program, Options table, String usage, String[] args, ToolEnv env, Body body) {
        return ToolLog.guarded(program, env, log -> {
            Getopt g = parse(program, table, args, env, usage);
            return g == null ? 1 : body.run(g, log);
        });
    }
}
