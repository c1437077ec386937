package org.modutils.insmod.module;

/**
 * modutils' error() and lprintf(): errors go out as {@code <error_file>: <message>} (stderr or
 * syslog) and are counted; informational lines go out as they are (stdout or syslog).
 */
public interface Messages {
    void error(String message);

    void info(String message);

    /**
     * {@link #info} for a long text already encoded as Latin-1 (the load map): the first
     * {@code length} bytes of {@code text}, without its trailing newline.
     */
    default void info(byte[] text, int length) {
        info(new String(text, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** The prefix of error messages: "insmod" until the module file is known, then its name. */
    void setErrorFile(String name);

    String errorFile();

    /** How many errors were reported so far. */
    int errors();
}
