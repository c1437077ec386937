package org.modutils.insmod.report;

import java.util.List;

/**
 * A failure the user is told about, in the original's words: the one way the library ends a run
 * early. {@link #lines} are error() lines (no prefix); they are empty when the cause was already
 * reported on the way (the original's "errors seen, stop here" checks). The tool prints the
 * lines and exits with {@link #status}.
 */
public class UserError extends Exception {
    private final transient List<String> lines;
    private final int status;

    public UserError(String line) {
        this(List.of(line), 1);
    }

    public UserError(List<String> lines) {
        this(lines, 1);
    }

    public UserError(List<String> lines, int status) {
        super(lines.isEmpty() ? "(reported)" : lines.get(0), null, false, false);
        this.lines = List.copyOf(lines);
        this.status = status;
    }

    /** Stop: what went wrong has been reported already. */
    public static UserError reported() {
        return new UserError(List.of(), 1);
    }

    public List<String> lines() {
        return lines;
    }

    /** The exit status the original used for this failure. */
    public int status() {
        return status;
    }

    /** Prints the lines as error() messages. */
    public void reportTo(Report report) {
        for (String line : lines) {
            report.error(line);
        }
    }
}
