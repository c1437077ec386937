package org.modutils.insmod.cli;

import java.io.PrintStream;

import org.modutils.insmod.sys.Syslog;

/**
 * modutils' logger: errors as "<error_file>: message" on stderr, the rest on stdout; with -s
 * both go to syslog (LOG_ERR / LOG_INFO), sent when insmod exits as the original does.
 */
final class Log implements org.modutils.insmod.config.Messages {
    private final PrintStream out;
    private final PrintStream err;
    private String errorFile = "insmod";
    private int errors;
    private String lastError;
    private Syslog.Deferred syslog;

    /** True when {@code out} encodes ISO-8859-1, so Latin-1 bytes may be written to it as they are. */
    private final boolean latin1Out;

    Log(PrintStream out, PrintStream err) {
        this(out, err, false);
    }

    Log(PrintStream out, PrintStream err, boolean latin1Out) {
        this.latin1Out = latin1Out;
        this.out = out;
        this.err = err;
    }

    /** -s: from now on messages go to syslog. */
    void toSyslog(Syslog target) {
        syslog = new Syslog.Deferred(target);
    }

    @Override
    public void error(String message) {
        errors++;
        lastError = message;
        if (syslog != null) {
            syslog.error(errorFile + ": " + message);
            return;
        }
        out.flush();
        err.print(errorFile + ": " + message + "\n");
    }

    @Override
    public void info(String message) {
        if (syslog != null) {
            syslog.info(message);
            return;
        }
        out.print(message + "\n");
    }

    @Override
    public void info(byte[] text, int length) {
        if (syslog != null || !latin1Out) {
            info(new String(text, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1));
            return;
        }
        out.write(text, 0, length);
        out.write('\n');
    }

    /** Text the original wrote straight to stderr (deprecation warnings): never prefixed or logged. */
    @Override
    public void warning(String message) {
        out.flush();
        err.print(message + "\n");
    }

    @Override
    public void errorFile(String name) {
        errorFile = name;
    }

    /** The text of the last error reported (without its prefix), or null. */
    String lastError() {
        return lastError;
    }

    /** How many errors were reported so far. */
    int errors() {
        return errors;
    }

    void flush() {
        if (syslog != null) {
            syslog.close();
            syslog = null;
        }
        out.flush();
        err.flush();
    }
}
