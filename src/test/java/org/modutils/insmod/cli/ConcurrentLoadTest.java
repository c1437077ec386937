package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight insmod processes load the same module at once into a stand-in 2.4 kernel. The module
 * file lock serialises them: each process's kernel calls form one uninterrupted run in the
 * kernel's call log, exactly one create_module happens, and the others see the loaded module
 * and say so, as the original does.
 */
class ConcurrentLoadTest {
    @TempDir
    Path tmp;

    @Test
    void loadsOfOneModuleSerialise() throws Exception {
        Path kernel = Files.createDirectories(tmp.resolve("kernel"));
        Files.copy(Paths.get("testdata/oracle/ksyms/ksyms32.txt"), kernel.resolve("ksyms"));
        Files.writeString(kernel.resolve("delay-ms"), "300");
        Path obj = tmp.resolve("hello.o");
        Files.copy(Paths.get("testdata/oracle/i386/obj/hello.o"), obj);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), "org.modutils.insmod.cli.DirectoryKernelMain", "-L", obj.toString());
            pb.environment().put("INSMOD_TEST_KERNEL", kernel.toString());
            pb.environment().put("MODULECONFIG", "/dev/null");
            pb.redirectErrorStream(true);
            pb.redirectOutput(tmp.resolve("out" + i).toFile());
            procs.add(pb.start());
        }
        int ok = 0, exists = 0;
        for (int i = 0; i < procs.size(); i++) {
            Process p = procs.get(i);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "insmod " + i + " did not finish");
            String out = Files.readString(tmp.resolve("out" + i));
            if (p.exitValue() == 0) {
                ok++;
            } else {
                assertEquals("insmod: a module named hello already exists\n", out);
                exists++;
            }
        }
        assertEquals(1, ok);
        assertEquals(7, exists);

        List<String> calls = Files.readAllLines(kernel.resolve("calls"));
        Map<String, List<String>> byPid = new LinkedHashMap<>();
        Set<String> finished = new HashSet<>();
        String current = null;
        for (String c : calls) {
            String pid = c.substring(0, c.indexOf(' '));
            if (!pid.equals(current)) {
                assertTrue(!finished.contains(pid), "process " + pid + " resumed after another ran: " + calls);
                if (current != null) {
                    finished.add(current);
                }
                current = pid;
            }
            byPid.computeIfAbsent(pid, k -> new ArrayList<>()).add(c.substring(c.indexOf(' ') + 1));
        }
        assertEquals(8, byPid.size(), calls.toString());
        long creates = calls.stream().filter(c -> c.contains("create_module hello")).count();
        assertEquals(1, creates, calls.toString());
        assertTrue(Files.exists(kernel.resolve("modules/hello.image")));
    }
}
