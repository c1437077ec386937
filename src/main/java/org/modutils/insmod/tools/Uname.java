package org.modutils.insmod.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** uname -r without native code: /proc/sys/kernel/osrelease, else the JVM's os.version. */
final class Uname {
    private Uname() {}

    static String release() {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/sys/kernel/osrelease")), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.version", "");
        }
    }
}
