package org.modutils.insmod.report;

/** A Report that counts the errors passed through it: the original's {@code errors} counter. */
public final class Counting extends Relay {
    private int errors;

    public Counting(Report to) {
        super(to);
    }

    @Override
    public void error(String text) {
        errors++;
        super.error(text);
    }

    /** Errors seen so far. */
    public int errors() {
        return errors;
    }

    /** Stops with {@link UserError#reported()} when any error was seen. */
    public void stopIfErrors() throws UserError {
        if (errors > 0) {
            throw UserError.reported();
        }
    }
}
