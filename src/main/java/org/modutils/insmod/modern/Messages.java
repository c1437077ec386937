package org.modutils.insmod.modern;

import java.io.PrintStream;

/**
 * Where the modern path writes. Style (see docs/modern-messages.md):
 * errors and warnings go to stderr, each line as {@code insmod: <text>}; the first line of a
 * failed load is {@code ERROR: could not insert module <file>: <strerror> -- <cause>}, and detail
 * lines follow indented by two spaces. {@code -v} information goes to stdout without prefix, as
 * the original's {@code lprintf}. It is the library's {@link org.modutils.insmod.report.Report}
 * with the modern path's style.
 */
public interface Messages extends org.modutils.insmod.report.Report {
    // error(text): one line (or several, split at '\n') for stderr; info(text): one line for
    // stdout (verbose information).

    /** The modern path has no unprefixed stderr text: a warning is an error line. */
    @Override
    default void warning(String text) {
        error(text);
    }

    /** The process's stdout and stderr with the {@code insmod: } prefix on stderr lines. */
    static Messages stdio() {
        return of(System.out, System.err);
    }

    static Messages of(PrintStream out, PrintStream err) {
        return new Messages() {
            @Override
            public void error(String text) {
                for (String line : text.split("\n", -1)) err.println("insmod: " + line);
                err.flush();
            }

            @Override
            public void info(String text) {
                out.println(text);
                out.flush();
            }
        };
    }
}
