package org.modutils.insmod.report;

/** A Report that counts the errors passed through it: the original's {@code errors} counter. */
public final class Counting implements Report {
    private final Report to;
    private int errors;

    public Counting(Report to) {
        this.to = to;
    }

    @Override
    public void error(String text) {
        errors++;
        to.error(text);
    }

    @Override
    public void info(String text) {
        to.info(text);
    }

    @Override
    public void warning(String text) {
        to.warning(text);
    }

    @Override
    public void info(byte[] latin1, int length) {
        to.info(latin1, length);
    }

    @Override
    public void errorFile(String name) {
        to.errorFile(name);
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
