package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.kernel.ModuleTable;

/**
 * modutils 2.4's modprobe ({@link LegacyModprobe}) over the real 2.4.18 tree of testdata: its
 * modules.dep written by our 2.4 depmod (itself checked against GNU nm), a stand-in 2.4 kernel
 * and a stand-in insmod that record what modprobe asks. The expectations are modprobe(8) and
 * modules.conf(5) of modutils 2.4 and its sources' messages: a stack loads dependencies first
 * and is removed top first, options of modules.conf and of the command line reach insmod,
 * install/remove commands replace insmod/delete_module, pre-/post- commands run around them,
 * -n -v shows the insmod lines, and bad input gets the original's message and status.
 */
class LegacyModprobeTest {
    private static final String V18 = "2.4.18-14custom";
    private static final Path TREE18 = Path.of("testdata/corpus-i386/2.4.18-14custom").toAbsolutePath();
    private static final Path MAP18 = Path.of("testdata/corpus-i386/System.map-2.4.18-14custom.gz");

    @TempDir
    Path dir;
    private Path conf;
    private final FakeKernel kernel = new FakeKernel();
    private final List<List<String>> insmods = new ArrayList<>();
    private String out;
    private String err;
    private boolean noteWanted;

    /** A 2.4 kernel in memory: modules, their users; delete_module as 2.4's. */
    static final class FakeKernel implements Kernel {
        final Map<String, List<String>> users = new LinkedHashMap<>();
        final List<String> deleted = new ArrayList<>();

        @Override public String release() { return V18; }
        @Override public String version() { return "#1"; }
        @Override public boolean legacy() { return true; }
        @Override public KernelSymbols symbols() throws KernelException { throw new KernelException(Errno.ENOSYS, "no"); }
        @Override public long createModule(String name, long size) throws KernelException { throw new KernelException(Errno.ENOSYS, "no"); }
        @Override public void initModule(String name, byte[] image) throws KernelException { throw new KernelException(Errno.ENOSYS, "no"); }
        @Override public byte[] readFile(String path) { return null; }
        @Override public int tainted() { return 0; }
        @Override public void setTainted(int value) { }

        @Override
        public void deleteModule(String name) throws KernelException {
            if (!users.containsKey(name)) throw new KernelException(Errno.ENOENT, "delete_module");
            if (!users.get(name).isEmpty()) throw new KernelException(16, "delete_module");
            users.remove(name);
            users.values().forEach(u -> u.remove(name));
            deleted.add(name);
        }

        @Override
        public ModuleTable moduleTable(ModuleQuery what) {
            List<ModuleStatus> mods = new ArrayList<>();
            users.forEach((n, u) -> mods.add(new ModuleStatus(n, 0, 0, ModuleStatus.RUNNING, 0, List.copyOf(u), List.of())));
            return new ModuleTable(mods, List.of());
        }

        /** insmod of a module that uses {@code needs}. */
        void load(String name, List<String> needs) {
            users.put(name, new ArrayList<>());
            for (String n : needs) if (users.containsKey(n)) users.get(n).add(name);
        }
    }

    @BeforeEach
    void depmod() throws IOException {
        Path map = dir.resolve("System.map");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(MAP18))) {
            Files.copy(in, map);
        }
        conf = dir.resolve("modules.conf");
        StringBuilder c = new StringBuilder("path=" + TREE18 + "\nprune derived\n");
        for (String f : org.modutils.insmod.config.ModulesConf.GENERATED) c.append(f + "file=" + dir + "/modules." + f + "\n");
        Files.writeString(conf, c.toString());
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(o, true);
        int st = Depmod.run(new String[] {"-r", "-a", "-C", conf.toString(), "-F", map.toString(), V18}, p, p);
        assertEquals(0, st, o.toString());
    }

    private int modprobe(String... args) {
        try {
            // older than modules.dep, unless a test says otherwise: no "Note: ... is more recent"
            if (!noteWanted && Files.exists(conf)) Files.setLastModifiedTime(conf, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>();
        if (Files.exists(conf)) env.put("MODULECONFIG", conf.toString());
        ToolEnv te = new ToolEnv(new PrintStream(o, true, StandardCharsets.ISO_8859_1),
                new PrintStream(e, true, StandardCharsets.ISO_8859_1), env, target -> kernel);
        int st = LegacyModprobe.run(args, te, argv -> {
            insmods.add(argv);
            String path = argv.stream().filter(a -> a.endsWith(".o")).findFirst().orElseThrow();
            String name = path.substring(path.lastIndexOf('/') + 1).replace(".o", "");
            kernel.load(name, name.equals("ext3") ? List.of("jbd") : List.of());
            return 0;
        });
        out = o.toString(StandardCharsets.ISO_8859_1);
        err = e.toString(StandardCharsets.ISO_8859_1);
        return st;
    }

    private static String jbd() {
        return TREE18 + "/fs/jbd/jbd.o";
    }

    private static String ext3() {
        return TREE18 + "/fs/ext3/ext3.o";
    }

    @Test
    void loadsTheStackDependenciesFirstAndRemovesItTopFirst() {
        assertEquals(0, modprobe("ext3"), err);
        assertEquals(List.of(List.of("/sbin/insmod", jbd()), List.of("/sbin/insmod", ext3())), insmods);
        assertEquals("", err);
        assertEquals(0, modprobe("ext3"), err);
        assertEquals(2, insmods.size(), "a loaded module is not loaded again");
        assertEquals(0, modprobe("-r", "ext3"), err);
        assertEquals(List.of("ext3", "jbd"), kernel.deleted);
        assertTrue(kernel.users.isEmpty());
    }

    @Test
    void showVerboseLoadsNothingAndPrintsTheInsmodLines() {
        assertEquals(0, modprobe("-n", "-v", "ext3"), err);
        assertEquals("/sbin/insmod " + jbd() + "\n/sbin/insmod " + ext3() + "\n", out);
        assertTrue(insmods.isEmpty());
        kernel.load("jbd", List.of());
        kernel.load("ext3", List.of("jbd"));
        // -n deletes nothing, so jbd is still used by ext3 when its turn comes: skipped silently
        assertEquals(0, modprobe("-r", "-n", "-v", "ext3"), err);
        assertEquals("# delete ext3\n", out);
        assertTrue(kernel.deleted.isEmpty());
    }

    @Test
    void removingAModuleInUseIsBusy() {
        kernel.load("jbd", List.of());
        kernel.load("ext3", List.of("jbd"));
        assertEquals(1, modprobe("-r", "jbd"));
        assertEquals("jbd: Device or resource busy\n", err);
        assertTrue(kernel.deleted.isEmpty());
    }

    @Test
    void aliasesOptionsAndTheCommandLine() throws IOException {
        Files.writeString(conf, "alias fs-journal ext3\noptions jbd -o myjbd\noptions ext3 a=1 b=2\n"
                + "add options ext3 c=3\ninsmod_opt=-f -x\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, modprobe("-k", "fs-journal", "b=9", "d=4"), err);
        assertEquals(List.of("/sbin/insmod", "-k", "-q", "-f", "-x", jbd(), "-o", "myjbd"), insmods.get(0));
        assertEquals(List.of("/sbin/insmod", "-k", "-q", "-f", "-x", ext3(), "a=1", "b=9", "c=3", "d=4"), insmods.get(1));
    }

    @Test
    void installAndRemoveCommandsReplaceInsmodAndDelete() throws IOException {
        Path log = dir.resolve("log");
        Files.writeString(conf, "pre-install ext3 echo pre >> " + log + "\ninstall jbd echo install-jbd >> " + log + "\n"
                + "post-install ext3 echo post >> " + log + "\nremove ext3 echo rm-ext3 >> " + log + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, modprobe("ext3"), err);
        assertEquals(List.of(List.of("/sbin/insmod", ext3())), insmods, "jbd's install command replaced insmod");
        kernel.load("jbd", List.of());
        kernel.users.get("jbd").add("ext3");
        assertEquals(0, modprobe("-r", "ext3"), err);
        assertEquals(List.of(), kernel.deleted, "ext3's remove command replaced delete_module; jbd stays in use");
        assertEquals(List.of("install-jbd", "pre", "post", "rm-ext3"), List.of(readLines(log)));
    }

    /** A command that fills the stderr pipe before it writes to stdout must not stall modprobe. */
    @Test
    void aCommandsLargeStderrAndStdoutBothComeThrough() throws IOException {
        Files.writeString(conf, "install jbd head -c 200000 /dev/zero | tr '\\0' x >&2; echo done\n",
                java.nio.file.StandardOpenOption.APPEND);
        int status = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> modprobe("jbd"));
        assertEquals(0, status, "exit status");
        assertEquals("done\n", out);
        assertEquals("x".repeat(200000), err);
    }

    private static String[] readLines(Path p) throws IOException {
        return Files.readString(p).split("\n");
    }

    @Test
    void probeTriesUntilOneLoadsAndProbeallLoadsEvery() throws IOException {
        Files.writeString(conf, "probe anyfs nosuch cramfs jbd\nprobeall bothfs jbd cramfs\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, modprobe("anyfs"), err);
        assertEquals(1, insmods.size());
        assertTrue(insmods.get(0).get(1).endsWith("/cramfs.o"), insmods.toString());
        assertEquals(0, modprobe("bothfs"), err);
        assertEquals(2, insmods.size(), "cramfs was loaded already: only jbd");
    }

    @Test
    void aboveAndBelowPullModulesIn() throws IOException {
        Files.writeString(conf, "below cramfs jbd\nabove jbd ext3\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, modprobe("-n", "-v", "cramfs"), err);
        assertEquals("/sbin/insmod " + jbd() + "\n/sbin/insmod " + ext3() + "\n/sbin/insmod " + TREE18
                + "/fs/cramfs/cramfs.o\n", out);
    }

    @Test
    void anAliasToOffLoadsNothing() throws IOException {
        Files.writeString(conf, "alias ext3 off\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, modprobe("ext3"), err);
        assertTrue(insmods.isEmpty());
        assertEquals(0, modprobe("net-pf-3"), "a built-in alias to off");
    }

    @Test
    void missingModuleAndMissingDependency() throws IOException {
        assertEquals(255, modprobe("nosuch"));
        assertEquals("modprobe: Can't locate module nosuch\n", err);
        assertEquals(255, modprobe("-q", "nosuch"));
        assertEquals("", err);
        Path dep = dir.resolve("modules.dep");
        Files.writeString(dep, "/x/a.o: /x/b.o\n\n/x/b.o: /x/gone.o\n\n");
        assertEquals(255, modprobe("a"));
        assertEquals("modprobe: Can't locate module gone which is needed for a\n", err);
        assertTrue(insmods.isEmpty());
    }

    @Test
    void dependencyLoopAbortsAsTheOriginal() throws IOException {
        Files.writeString(dir.resolve("modules.dep"), "/x/a.o: /x/b.o\n\n/x/b.o: /x/a.o\n\n");
        assertEquals(134, modprobe("a"));
        assertTrue(err.startsWith("modprobe: Too deep recursion in module dependencies!\nmodprobe: Circular dependency? "), err);
        assertTrue(insmods.isEmpty());
    }

    @Test
    void configErrorsGetTheOriginalsMessages() throws IOException {
        Files.writeString(conf, "frobnicate ext3\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(255, modprobe("ext3"));
        assertEquals("modprobe: Invalid line 11 in " + conf + "\n\tfrobnicate\n", err);
        Files.writeString(conf, "path=" + TREE18 + "\nif -k\nendif\nendif\n");
        assertEquals(255, modprobe("ext3"));
        assertEquals("modprobe: unmatched endif in line 4\n", err);
        Files.writeString(conf, "depfile=" + dir + "/none.dep\n");
        assertEquals(255, modprobe("ext3"));
        assertEquals("modprobe: Can't open dependencies file " + dir + "/none.dep (No such file or directory)\n", err);
        Files.writeString(dir.resolve("bad.dep"), "/x/a.o /x/b.o\n");
        Files.writeString(conf, "depfile=" + dir + "/bad.dep\n");
        assertEquals(255, modprobe("a"));
        assertEquals("modprobe: line 1: Invalid dependency\n\t/x/a.o /x/b.o\n", err);
        assertTrue(insmods.isEmpty());
    }

    @Test
    void showConfigAndList() {
        assertEquals(0, modprobe("-c"), err);
        assertTrue(out.startsWith("# Generated by modprobe -c (2.4.16)\npath[misc]=" + TREE18 + "\n# Prune\nprune modules.dep\n"), out);
        assertTrue(out.contains("\n# Aliases\nalias binfmt-0000 off\n"), out);
        assertTrue(out.contains("\n# Options\noptions dummy0 -o dummy0\n"), out);
        assertTrue(out.contains("\n# Miscellaneous file and directory names\ngeneric_stringfile=" + dir
                + "/modules.generic_string\n"), out);
        assertTrue(out.endsWith("depfile=" + dir + "/modules.dep\npersistdir=/var/lib/modules/persist\n"), out);
        assertEquals(0, modprobe("-l", "ext3.o"), err);
        assertEquals(ext3() + "\n", out);
        assertEquals(0, modprobe("-l", "-t", "jbd", "*"), err);
        assertEquals(jbd() + "\n", out);
    }

    @Test
    void aConfigurationNewerThanModulesDepIsNoted() throws IOException {
        noteWanted = true;
        Files.setLastModifiedTime(conf, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        assertEquals(0, modprobe("-n", "ext3"), err);
        assertEquals("Note: " + conf + " is more recent than " + dir + "/modules.dep\n", out);
    }

    /**
     * A board's tree kept here as {@code depmod -b BASE} writes it: modules.dep names the paths
     * the board sees; --basedir reads BASE's modules.conf and modules.dep and hands insmod BASE
     * plus those paths.
     */
    @Test
    void basedirReadsATreeWrittenByDepmodMinusB() throws IOException {
        Path base = dir.resolve("board");
        Path mods = Files.createDirectories(base.resolve("lib/modules/" + V18 + "/kernel/fs"));
        for (String m : List.of("jbd", "ext3")) {
            Files.createDirectories(mods.resolve(m));
            Files.copy(TREE18.resolve("fs/" + m + "/" + m + ".o"), mods.resolve(m + "/" + m + ".o"));
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(o, true);
        assertEquals(0, Depmod.run(new String[] {"-r", "-a", "-b", base.toString(), "-F", dir.resolve("System.map").toString(),
                V18}, p, p), o.toString());
        Files.delete(conf); // no MODULECONFIG file: BASE/etc/modules.conf, which does not exist either
        noteWanted = true;
        assertEquals(0, modprobe("--basedir=" + base + "/", "-n", "-v", "ext3"), err);
        String k = "/lib/modules/" + V18 + "/kernel/fs/";
        assertEquals("/sbin/insmod " + base + k + "jbd/jbd.o\n/sbin/insmod " + base + k + "ext3/ext3.o\n", out);
    }

    @Test
    void nothingToLoad() {
        assertEquals(0, modprobe());
        assertEquals("modprobe: Nothing to load ???\nSpecify at least a module or a wildcard like \\*\n", err);
        assertFalse(err.isEmpty());
    }
}
