package org.modutils.insmod.tools;

import java.io.PrintStream;
import java.time.Clock;

import org.modutils.insmod.sys.Syslog;

/**
 * modutils' logger for the family's tools: error() writes "error_file: message" to stderr (or
 * LOG_ERR with -s), verbose and informational text goes to stdout (or LOG_INFO). perror()
 * always goes to stderr, as the C library's perror did.
 */
final class ToolLog {
    private final PrintStream out;
    private final PrintStream err;
    private String errorFile;
    private int errors;
    private Syslog.Deferred syslog;

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

    ToolLog(String program, PrintStream out, PrintStream err) {
        this.errorFile = program;
        this.out = out;
        this.err = err;
    }

    /** -s: openlog(program, LOG_CONS, LOG_DAEMON); messages are sent when the tool exits. */
    void toSyslog(String program) {
        syslog = new Syslog.Deferred(Syslog.open(program, Syslog.LOG_DAEMON, Syslog.DEFAULT_SOCKET,
                Clock.systemDefaultZone(), Syslog.DEFAULT_CONSOLE));
    }

    void setErrorFile(String name) {
        errorFile = name;
    }

    void error(String message) {
        errors++;
        if (syslog != null) {
            syslog.error(errorFile + ": " + message);
            return;
        }
        out.flush();
        err.print(errorFile + ": " + message + "\n");
    }

    void info(String message) {
        if (syslog != null) {
            syslog.info(message);
            return;
        }
        out.print(message + "\n");
    }

    /** perror(3): "what: strerror" on stderr whatever -s says. */
    void perror(String what, String reason) {
        out.flush();
        err.print(what + ": " + reason + "\n");
    }

    int errors() {
        return errors;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    void flush() {
        if (syslog != null) {
            syslog.close();
            syslog = null;
        }
        out.flush();
        err.flush();
    }

    /** This logger as the library's {@link org.modutils.insmod.report.Report} (and the configuration's Messages). */
    org.modutils.insmod.config.Messages report() {
        ToolLog self = this;
        return new org.modutils.insmod.config.Messages() {
            @Override
            public void error(String text) {
                self.error(text);
            }

            @Override
            public void info(String text) {
                self.info(text);
            }

            @Override
            public void warning(String text) {
                self.out.flush();
                self.err.print(text + "\n");
            }

            @Override
            public void errorFile(String name) {
                self.setErrorFile(name);
            }
        };
    }
}
