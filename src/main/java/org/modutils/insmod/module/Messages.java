package org.modutils.insmod.module;

/**
 * modutils' error() and lprintf(): errors go out as {@code <error_file>: <message>} (stderr or
 * syslog) and are counted; informational lines go out as they are (stdout or syslog).
 */
public interface Messages {
    void error(String message);

    void info(String message);

    /** The prefix of error messages: "insmod" until the module file is known, then its name. */
    void setErrorFile(String name);

    String errorFile();

    /** How many errors were reported so far. */
    int errors();
}
