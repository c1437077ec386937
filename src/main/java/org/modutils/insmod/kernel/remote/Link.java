package org.modutils.insmod.kernel.remote;

import java.io.IOException;

/** A byte pipe to the agent (TCP socket, serial line, or a process's stdin/stdout in tests). */
public interface Link extends AutoCloseable {
    /** Writes all bytes or throws. */
    void write(byte[] b) throws IOException;

    /**
     * Reads up to {@code len} bytes, waiting at most {@code timeoutMillis}.
     * Returns the count, 0 on timeout, -1 when the other side closed the link.
     */
    int read(byte[] b, int off, int len, long timeoutMillis) throws IOException;

    /** Drops whatever input has already arrived (stale answers of an earlier session). */
    void drain() throws IOException;

    /** How long {@code bytes} take on the wire: 0 when the link is fast enough not to matter (TCP, pipes). */
    default long wireMillis(int bytes) {
        return 0;
    }

    /** What the user named, e.g. "tcp:127.0.0.1:5555" or "/dev/ttyUSB0,115200". */
    String describe();

    @Override
    void close();
}
