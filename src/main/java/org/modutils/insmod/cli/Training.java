package org.modutils.insmod.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training run of the JDK 25+ ahead-of-time cache (scripts/build-aot.sh): the JDK records one
 * process, so this runs several tools in it, one after another, to put the classes, lambdas and
 * method profiles of each into one cache. {@code TOOL ARG... [--then TOOL ARG...]...}; prints
 * what the tools print; the exit status is 0, the tools' own ones do not matter here.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) {
        List<String> run = new ArrayList<>();
        for (String a : Argv.bytes(args)) { // byte strings, as Main gives its tools
            if (a.equals("--then")) {
                once(run);
                run.clear();
            } else {
                run.add(a);
            }
        }
        once(run);
        System.out.flush();
        org.modutils.insmod.sys.ExitHooks.pending(); // as Main ends, so that its class is in the cache
    }

    private static void once(List<String> run) {
        if (!run.isEmpty()) {
            Main.run(run.get(0), Arrays.copyOfRange(run.toArray(new String[0]), 1, run.size()));
        }
    }
}
