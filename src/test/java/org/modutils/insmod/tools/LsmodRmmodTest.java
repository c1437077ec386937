package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.loaded.LoadedModules;
import org.modutils.insmod.loaded.Removal;

/**
 * lsmod and rmmod over a stand-in /proc/modules and /sys/module (the real kernel, side by side
 * with kmod's tools, is scripts/vm-family-test.sh). The expected lines follow kmod's lsmod
 * ({@code "%-19s %8ld  %d"} then the holders) and rmmod (its check_module_inuse messages, and
 * delete_module with O_NONBLOCK, plus O_TRUNC for -f).
 */
class LsmodRmmodTest {
    @TempDir
    Path root;
    final List<String> deleted = new ArrayList<>();

    private void module(String name, long size, int refcnt, String... holders) throws IOException {
        Path d = root.resolve("sys/module").resolve(name);
        Files.createDirectories(d.resolve("holders"));
        Files.writeString(d.resolve("coresize"), size + "\n");
        Files.writeString(d.resolve("refcnt"), refcnt + "\n");
        Files.writeString(d.resolve("initstate"), "live\n");
        for (String h : holders) Files.createDirectories(d.resolve("holders").resolve(h));
    }

    @BeforeEach
    void kernel() throws IOException {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/modules"),
                "ext4 999424 1 - Live 0xffffffffc0400000\n"
                + "jbd2 167936 1 ext4, Live 0xffffffffc0300000\n"
                + "a_module_with_a_long_name 4096 0 - Live 0xffffffffc0200000\n"
                + "nosysfs 12345 0 - Live 0xffffffffc0100000\n");
        module("ext4", 999424, 1);
        module("jbd2", 167936, 1, "ext4");
        module("a_module_with_a_long_name", 4096, 0);
        Files.createDirectories(root.resolve("sys/module/unix"));
    }

    private ToolRun lsmod(String... args) {
        return ToolRun.ours((o, e) -> Lsmod.run(args, o, e, root));
    }

    private ToolRun rmmod(String... args) {
        Removal r = new Removal(new LoadedModules(root), this::delete, n -> n.equals("unix"));
        return ToolRun.ours((o, e) -> Rmmod.run(args, o, e, r));
    }

    private void delete(String name, int flags) throws KernelException {
        if (name.equals("a_module_with_a_long_name") && flags == 04000) throw new KernelException(16, "delete_module: busy");
        deleted.add(name + "/" + Integer.toOctalString(flags));
    }

    @Test
    void lsmodColumnsAndHolders() {
        ToolRun r = lsmod();
        assertEquals("Module                  Size  Used by\n"
                + "ext4                  999424  1\n"
                + "jbd2                  167936  1 ext4\n"
                + "a_module_with_a_long_name     4096  0\n"
                + "nosysfs                   -2  -2\n", r.out);
        assertEquals(0, r.status);
    }

    @Test
    void lsmodTakesNoArgumentsAndSaysWhyItCannotRead() throws IOException {
        ToolRun r = lsmod("-h");
        assertEquals("Usage: lsmod\n", r.err);
        assertEquals(1, r.status);
        Files.delete(root.resolve("proc/modules"));
        ToolRun n = lsmod();
        assertEquals("Error: could not get list of modules: No such file or directory\n", n.err);
        assertEquals(1, n.status);
    }

    @Test
    void lsmodJson() {
        assertTrue(lsmod("--json").out.startsWith("[{\"name\":\"ext4\",\"size\":999424,\"used\":1,\"holders\":[]},"
                + "{\"name\":\"jbd2\",\"size\":167936,\"used\":1,\"holders\":[\"ext4\"]},"));
    }

    @Test
    void rmmodRefusesWhatIsInUseOrAbsent() {
        ToolRun r = rmmod("jbd2", "ext4", "nosuch", "unix", "no-such.ko");
        assertEquals("rmmod: ERROR: Module jbd2 is in use by: ext4\n"
                + "rmmod: ERROR: Module ext4 is in use\n"
                + "rmmod: ERROR: Module nosuch is not currently loaded\n"
                + "rmmod: ERROR: Module unix is builtin.\n"
                + "rmmod: ERROR: Module no_such is not currently loaded\n", r.err);
        assertEquals(1, r.status);
        assertEquals(List.of(), deleted);
    }

    @Test
    void rmmodDeletesWithONonblockAndForcesWithOTrunc() {
        assertEquals(0, rmmod("a-module-with-a-long-name").status == 1 ? 0 : 1); // the stand-in kernel says busy
        assertEquals("rmmod: ERROR: could not remove module a-module-with-a-long-name: Device or resource busy\n",
                rmmod("a-module-with-a-long-name").err);
        ToolRun f = rmmod("-f", "jbd2");
        assertEquals(0, f.status);
        assertEquals(List.of("jbd2/5000"), deleted);
    }

    @Test
    void rmmodUsage() {
        ToolRun r = rmmod();
        assertEquals("rmmod: ERROR: missing module name.\n", r.err);
        assertEquals(1, r.status);
        assertEquals("rmmod: invalid option -- 'z'\n", rmmod("-z", "x").err);
        assertTrue(rmmod("-h").out.startsWith("Usage:\n\trmmod [options] modulename ...\n"));
    }
}
