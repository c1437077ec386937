package org.modutils.insmod.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the tools ask of the running kernel without native code where they can. */
final class RunningKernel {
    private RunningKernel() {}

    /**
     * Is the running kernel a 2.1-2.4 one (query_module)? A kernel with /sys/module is 2.6+
     * (sysfs came with 2.6), which spares the usual run the native layer's start-up; without it,
     * the query_module probe decides.
     */
    static boolean legacyKernel() {
        return !Files.isDirectory(Path.of("/sys/module")) && new org.modutils.insmod.kernel.LinuxKernel().legacy();
    }

    /** A 2.4 target driven through its agent ({@code --target=...}): the 2.4 tools' business wherever they run. */
    static boolean remoteTarget(String[] args) {
        for (String a : args) if (a.equals("--target") || a.startsWith("--target=")) return true;
        return false;
    }

    /** uname -r: /proc/sys/kernel/osrelease, else the JVM's os.version. */
    static String release() {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/sys/kernel/osrelease")), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.version", "");
        }
    }
}
