package org.modutils.insmod.sys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process for {@link FlockProcessesTest}: waits for the start signal, then (with or
 * without the lock) appends "begin ID", sleeps, appends "end ID" to the shared log.
 * Arguments: lockFile logFile goFile id lock|nolock.
 */
public final class FlockChild {
    private FlockChild() {}

    public static void main(String[] args) throws Exception {
        Path lockFile = Path.of(args[0]);
        Path log = Path.of(args[1]);
        Path go = Path.of(args[2]);
        String id = args[3];
        boolean lock = args[4].equals("lock");
        Files.writeString(Path.of(args[1] + ".ready." + id), "");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                System.exit(3);
            }
            Thread.sleep(2);
        }
        Flock l = lock ? Flock.exclusive(lockFile) : null;
        try {
            append(log, "begin " + id + "\n");
            Thread.sleep(60);
            append(log, "end " + id + "\n");
        } finally {
            if (l != null) {
                l.close();
            }
        }
    }

    private static void append(Path log, String line) throws Exception {
        Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
    }
}
