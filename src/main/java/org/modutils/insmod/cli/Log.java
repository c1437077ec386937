package org.modutils.insmod.cli;

import java.io.PrintStream;

import org.modutils.insmod.module.Messages;

/** modutils' logger: errors as "<error_file>: message" on stderr, the rest on stdout. */
final class Log implements Messages {
    private final PrintStream out;
    private final PrintStream err;
    private String errorFile = "insmod";
    private int errors;

    Log(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public void error(String message) {
        errors++;
        out.flush();
        err.print(errorFile + ": " + message + "\n");
    }

    @Override
    public void info(String message) {
        out.print(message + "\n");
    }

    @Override
    public void setErrorFile(String name) {
        errorFile = name;
    }

    @Override
    public String errorFile() {
        return errorFile;
    }

    @Override
    public int errors() {
        return errors;
    }

    void flush() {
        out.flush();
        err.flush();
    }
}
