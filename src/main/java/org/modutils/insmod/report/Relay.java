package org.modutils.insmod.report;

import java.util.function.Consumer;

/**
 * A Report that passes each kind on: all to another Report, or each to its own function (a
 * filter, a redirection). The one place words are relayed; {@link Counting} is one.
 */
public class Relay implements Report {
    private final Consumer<String> error;
    private final Consumer<String> info;
    private final Consumer<String> warning;
    private final Report to;

    /** Everything to {@code to}, the Latin-1 texts and the error file's changes included. */
    public Relay(Report to) {
        this.error = to::error;
        this.info = to::info;
        this.warning = to::warning;
        this.to = to;
    }

    /** Each kind to its function; a Latin-1 text as a string, and the error file nowhere. */
    public Relay(Consumer<String> error, Consumer<String> info, Consumer<String> warning) {
        this.error = error;
        this.info = info;
        this.warning = warning;
        this.to = null;
    }

    @Override
    public void error(String text) {
        error.accept(text);
    }

    @Override
    public void info(String text) {
        info.accept(text);
    }

    @Override
    public void warning(String text) {
        warning.accept(text);
    }

    @Override
    public void info(byte[] latin1, int length) {
        if (to != null) {
            to.info(latin1, length);
        } else {
            Report.super.info(latin1, length);
        }
    }

    @Override
    public void errorFile(String name) {
        if (to != null) {
            to.errorFile(name);
        }
    }
}
