package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * insmod -L in miniature: 8 JVMs start together and each writes begin/end markers around a
 * sleep while holding {@link Flock} on one file. With the lock the log must be 8 unbroken
 * begin/end pairs; the same run without the lock must interleave (else the test proves nothing).
 */
class FlockProcessesTest {
    static final int N = 8;

    @TempDir
    Path tmp;

    private List<String> run(String mode) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(mode));
        Path lockFile = Files.writeString(dir.resolve("mod.o"), "module");
        Path log = dir.resolve("log");
        Path go = dir.resolve("go");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String cp = System.getProperty("java.class.path");
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            procs.add(new ProcessBuilder(java, "-cp", cp, FlockChild.class.getName(), lockFile.toString(),
                    log.toString(), go.toString(), Integer.toString(i), mode)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out." + i).toFile()).start());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < N; i++) {
            while (!Files.exists(Path.of(log + ".ready." + i))) {
                assertTrue(System.nanoTime() < deadline, "child " + i + " did not start: "
                        + (Files.exists(dir.resolve("out." + i)) ? Files.readString(dir.resolve("out." + i)) : ""));
                Thread.sleep(5);
            }
        }
        Files.writeString(go, "");
        for (int i = 0; i < N; i++) {
            Process p = procs.get(i);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child " + i + " hung");
            assertEquals(0, p.exitValue(), "child " + i + ": " + Files.readString(dir.resolve("out." + i)));
        }
        return Files.readAllLines(log);
    }

    private static boolean serialised(List<String> lines) {
        if (lines.size() != 2 * N) {
            return false;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i += 2) {
            String b = lines.get(i);
            String e = lines.get(i + 1);
            if (!b.startsWith("begin ") || !e.equals("end " + b.substring(6)) || !seen.add(b)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void eightProcessesTakeTheLockOneAfterAnother() throws Exception {
        List<String> locked = run("lock");
        assertEquals(2 * N, locked.size(), locked.toString());
        assertTrue(serialised(locked), "interleaved under the lock: " + locked);

        List<String> free = run("nolock");
        assertEquals(2 * N, free.size(), free.toString());
        assertTrue(!serialised(free), "the control run without the lock did not overlap: " + free);
    }
}
