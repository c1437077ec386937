package org.modutils.insmod.cli;

/**
 * The one entry point of the jar. Like modutils' combined insmod, the tool is chosen by the
 * name it was called by: the launcher (bin/insmod and its links) passes its own basename in
 * the system property {@code modutils.prog}; without it the tool is insmod.
 */
public final class Main {
    public static void main(String[] args) {
        System.exit(run(System.getProperty("modutils.prog", "insmod"), Argv.bytes(args)));
    }

    /**
     * Runs the tool named {@code prog} (a basename such as "rmmod") and returns its exit status.
     * {@code args} are byte strings, one char per byte of the argument (see {@link Argv}).
     */
    public static int run(String prog, String[] args) {
        switch (prog) {
            default:
                return Insmod.run(args);
        }
    }
}
