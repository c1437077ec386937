package org.modutils.insmod.tools;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The process's stdout (buffered) and stderr as byte-transparent (ISO-8859-1) print streams. */
final class Streams {
    private Streams() {}

    static PrintStream out() {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
                StandardCharsets.ISO_8859_1);
    }

    static PrintStream err() {
        return new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
    }
}
