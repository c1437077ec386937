package org.modutils.insmod.cli;

import org.modutils.insmod.sys.ExitHooks;
import org.modutils.insmod.tools.Kallsyms;
import org.modutils.insmod.tools.Ksyms;

/**
 * The one entry point of the jar. Like modutils' combined insmod, the tool is chosen by the
 * name it was called by: the launcher (bin/insmod and its links) passes its own basename in
 * the system property {@code modutils.prog}; without it the tool is insmod.
 */
public final class Main {
    public static void main(String[] args) {
        int status = run(System.getProperty("modutils.prog", "insmod"), Argv.bytes(args));
        System.out.flush();
        System.err.flush();
        if (ExitHooks.pending()) {
            System.exit(status); // e.g. a remote session's hook deletes a half-created module
        }
        // Every tool has flushed its output and closed its files; the shutdown hooks left
        // (BlobWriter's) are for signals. System.exit would set up the JDK's logging (Runtime.exit
        // logs at DEBUG), which looks for a logging service on the class path and so opens the
        // jar (8,000 entries): a quarter of a small module's time after main.
        Runtime.getRuntime().halt(status);
    }

    /**
     * Runs the tool named {@code prog} (a basename such as "rmmod") and returns its exit status.
     * {@code args} are byte strings, one char per byte of the argument (see {@link Argv}).
     */
    public static int run(String prog, String[] args) {
        switch (prog) {
            case "ksyms":
                return Ksyms.run(args);
            case "kallsyms":
                return Kallsyms.run(args);
            case "modprobe":
                return org.modutils.insmod.tools.Modprobe.run(text(args), Main::insmod24);
            case "depmod":
                return org.modutils.insmod.tools.Depmod.run(text(args));
            case "modinfo":
                return org.modutils.insmod.tools.Modinfo.run(args);
            case "lsmod":
                return org.modutils.insmod.tools.Lsmod.run(args);
            case "rmmod":
                return org.modutils.insmod.tools.Rmmod.run(args);
            default:
                return Insmod.run(args);
        }
    }

    /** modutils 2.4's modprobe runs insmod: here, in this process (the first word, /sbin/insmod, names it). */
    private static int insmod24(java.util.List<String> argv) {
        String[] a = argv.subList(1, argv.size()).toArray(new String[0]);
        return Insmod.run(Argv.reencoded(a, java.nio.charset.Charset.defaultCharset()));
    }

    /** Byte strings back to text in the platform's charset, for the tools that take Java strings. */
    private static String[] text(String[] args) {
        String[] out = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            out[i] = new String(args[i].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    java.nio.charset.Charset.defaultCharset());
        }
        return out;
    }
}
