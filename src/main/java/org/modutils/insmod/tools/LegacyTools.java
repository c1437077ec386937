package org.modutils.insmod.tools;

import java.io.PrintStream;

/**
 * The seam for the 2.1-2.4 halves of lsmod and rmmod (modutils 2.4's behaviour over
 * query_module/delete_module, locally or through the agent). {@link Lsmod} and {@link Rmmod}
 * call these when the running kernel has query_module (no /sys/module and the query_module
 * probe answers) or when the command line names a {@code --target}; the 2.4 implementation
 * replaces these bodies (the arguments are the tool's whole command line, the result its exit
 * status).
 */
final class LegacyTools {
    private LegacyTools() {}

    static int lsmod(String[] args, PrintStream out, PrintStream err) {
        err.print("lsmod: the 2.1-2.4 kernel lsmod is not part of this build\n");
        return 1;
    }

    static int rmmod(String[] args, PrintStream out, PrintStream err) {
        err.print("rmmod: the 2.1-2.4 kernel rmmod is not part of this build\n");
        return 1;
    }
}
