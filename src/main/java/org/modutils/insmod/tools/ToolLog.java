package org.modutils.insmod.tools;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import org.modutils.insmod.sys.Syslog;

/**
 * modutils' logger ({@code util/logger.c}), the one for every tool, insmod included: error()
 * writes "error_file: message" to stderr (or LOG_ERR with -s), verbose and informational text
 * goes to stdout (or LOG_INFO); with -s the messages are sent when the tool exits, as the
 * original does. Warnings (the original's straight fprintf to stderr) and perror() always go to
 * stderr. It is the library's {@link org.modutils.insmod.report.Report} for the tool's run.
 */
public final class ToolLog implements org.modutils.insmod.report.Report {
    private final PrintStream out;
    private final PrintStream err;
    private String errorFile;
    private String lastError;
    private Syslog.Deferred syslog;

    /** True when {@code out} encodes ISO-8859-1, so Latin-1 bytes may be written to it as they are. */
    private final boolean latin1Out;

    /** A tool's body, given its log. */
    interface Body {
        int run(ToolLog log);
    }

    /**
     * Runs a tool's body with a log named after the program: a bug becomes one "internal error"
     * line and exit 1, never a stack trace; the log is flushed (or sent to syslog) at the end.
     */
    static int guarded(String program, ToolEnv env, Body body) {
        ToolLog log = new ToolLog(program, env.out(), env.err());
        try {
            return body.run(log);
        } catch (RuntimeException e) {
            log.error("internal error: " + e);
            return 1;
        } finally {
            log.flush();
        }
    }

    /** A log whose errors are about {@code program} until {@link #errorFile} says otherwise. */
    public ToolLog(String program, PrintStream out, PrintStream err) {
        this(program, out, err, false);
    }

    /** {@code latin1Out}: {@code out} encodes ISO-8859-1, so a Latin-1 text is written as its bytes. */
    public ToolLog(String program, PrintStream out, PrintStream err, boolean latin1Out) {
        this.errorFile = program;
        this.out = out;
        this.err = err;
        this.latin1Out = latin1Out;
    }

    /** -s: openlog(program, LOG_CONS, LOG_DAEMON); messages are sent when the tool exits. */
    public void toSyslog(String program) {
        syslog = new Syslog.Deferred(Syslog.open(program, Syslog.LOG_DAEMON, Syslog.DEFAULT_SOCKET,
                Clock.systemDefaultZone(), Syslog.DEFAULT_CONSOLE));
    }

    @Override
    public void errorFile(String name) {
        errorFile = name;
    }

    @Override
    public void error(String message) {
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
            info(new String(text, 0, length, StandardCharsets.ISO_8859_1));
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

    /** perror(3): "what: strerror" on stderr whatever -s says. */
    void perror(String what, String reason) {
        warning(what + ": " + reason);
    }

    /** The text of the last error reported (without its prefix), or null. */
    public String lastError() {
        return lastError;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** Sends what -s deferred and flushes both streams. */
    public void flush() {
        if (syslog != null) {
            syslog.close();
            syslog = null;
        }
        out.flush();
        err.flush();
    }
}
