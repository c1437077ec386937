package org.modutils.insmod.config;

import org.modutils.insmod.report.Report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The original's warnings about /etc/conf.modules, the configuration's deprecated name. */
final class OldNameWarnings {
    private OldNameWarnings() {}

    /** Only the old name exists. */
    static String onlyOld(String conf, String old) {
        return "Warning: modutils is reading from " + old + " because\n"
                + "         " + conf + " does not exist.  The use of " + old + " is\n"
                + "         deprecated, please rename " + old + " to " + conf + "\n"
                + "         as soon as possible.  Command\n"
                + "         mv " + old + " " + conf;
    }

    /** Both names exist: a link one way or the other, or two files. */
    static void bothExist(Path confPath, Path oldPath, String conf, String old, Report out) {
        if (!Files.exists(confPath) || !Files.exists(oldPath)) {
            return;
        }
        boolean same;
        try {
            same = Files.isSameFile(confPath, oldPath);
        } catch (IOException e) {
            return;
        }
        if (!same) {
            out.warning("Warning: modutils is reading from " + conf + " and\n"
                    + "         ignoring " + old + ".  The use of " + old + " is deprecated,\n"
                    + "         please remove " + old + " as soon as possible.  Command\n"
                    + "           rm " + old);
        } else if (Files.isSymbolicLink(confPath)) {
            out.warning("Warning: You do not need a link from " + conf + " to\n"
                    + "         " + old + ".  The use of " + old + " is deprecated,\n"
                    + "         please remove " + conf + " and rename " + old + "\n"
                    + "         to " + conf + " as soon as possible.  Commands.\n"
                    + "           rm " + conf + "\n"
                    + "           mv " + old + " " + conf);
        } else {
            out.warning("Warning: You do not need a link from " + old + " to\n"
                    + "         " + conf + ".  The use of " + old + " is deprecated,\n"
                    + "         please remove " + old + " as soon as possible.  Command\n"
                    + "           rm " + old);
        }
    }
}
