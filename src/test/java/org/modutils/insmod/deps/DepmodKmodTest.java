package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * depmod against kmod's own depmod (Debian package kmod) on the real Debian 6.1 module tree
 * the VM harness fetches (VMTEST_CACHE, default /var/cache/vmtest): the whole tree once, then
 * a part of it made awkward (compressed, damaged and duplicated modules, no modules.order)
 * under several option sets. Every output file byte for byte, stdout, stderr, exit status.
 */
class DepmodKmodTest {
    private static final String CACHE = System.getenv().getOrDefault("VMTEST_CACHE", "/var/cache/vmtest");
    private final List<Path> roots = new ArrayList<>();
    private String kmod;
    private Path tree;

    @BeforeEach
    void setUp() {
        kmod = DepTrees.kmodDepmod();
        assumeTrue(kmod != null, "no kmod depmod (scripts/vm/setup.sh provides one in the VM cache, or apt-get install kmod)");
        tree = Path.of(CACHE, "kernel-" + DepTrees.KVER, "lib/modules", DepTrees.KVER);
        assumeTrue(Files.isDirectory(tree.resolve("kernel")),
                "no Debian 6.1 module tree in " + CACHE + " (run scripts/vm/setup.sh)");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Path r : roots) DepTrees.delete(r);
    }

    private Path newRoot() throws IOException {
        Path r = Files.createTempDirectory("depmod-kmod");
        roots.add(r);
        Files.createDirectories(r.resolve("lib/modules/" + DepTrees.KVER));
        return r;
    }

    private static Path dir(Path root) {
        return root.resolve("lib/modules/" + DepTrees.KVER);
    }

    /** Runs kmod's and ours on two copies of {@code src}; asserts they agree on everything. */
    private void compare(Path src, String... args) throws IOException {
        Path a = newRoot();
        Path b = newRoot();
        DepTrees.copyTree(src, a);
        DepTrees.copyTree(src, b);
        List<String> cmd = new ArrayList<>(List.of(kmod, "-b", a.toString()));
        cmd.addAll(List.of(args));
        cmd.add(DepTrees.KVER);
        DepTrees.Run theirs = DepTrees.exec(cmd);
        List<String> ourArgs = new ArrayList<>(List.of("-b", b.toString()));
        ourArgs.addAll(List.of(args));
        ourArgs.add(DepTrees.KVER);
        DepTrees.Run ours = DepTrees.ours(ourArgs.toArray(new String[0]));
        String what = String.join(" ", args);
        assertEquals(theirs.status(), ours.status(), what);
        assertEquals(theirs.err().replace(a.toString(), "ROOT"), ours.err().replace(b.toString(), "ROOT"), what);
        assertEquals(theirs.out().replace(a.toString(), "ROOT"), ours.out().replace(b.toString(), "ROOT"), what);
        List<String> names = new ArrayList<>();
        try (var s = Files.list(dir(a))) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        List<String> ourNames = new ArrayList<>();
        try (var s = Files.list(dir(b))) {
            s.forEach(p -> ourNames.add(p.getFileName().toString()));
        }
        assertEquals(names.stream().sorted().toList(), ourNames.stream().sorted().toList(), what);
        for (String f : names) {
            if (Files.isRegularFile(dir(a).resolve(f)))
                assertArrayEquals(Files.readAllBytes(dir(a).resolve(f)), Files.readAllBytes(dir(b).resolve(f)), what + " " + f);
        }
    }

    @Test
    void theWholeDebianTree() throws IOException {
        Path src = newRoot();
        Files.createSymbolicLink(dir(src).resolve("kernel"), tree.resolve("kernel"));
        for (String f : List.of("modules.order", "modules.builtin", "modules.builtin.modinfo"))
            Files.copy(tree.resolve(f), dir(src).resolve(f));
        compare(src);
        for (String f : DepTrees.OUTPUTS) {
            assertArrayEquals(Files.readAllBytes(tree.resolve(f)), Files.readAllBytes(dir(roots.get(2)).resolve(f)),
                    "the tree's own " + f + " (written by Debian's kmod)");
        }
    }

    @Test
    void anAwkwardPartOfTheTree() throws IOException {
        Path src = awkwardTree();
        Path sysmap = src.resolve("System.map");
        compare(src);
        compare(src, "-n");
        compare(src, "-v");
        compare(src, "-w");
        compare(src, "-e");
        compare(src, "-e", "-F", sysmap.toString());
        compare(src, "-F", src.resolve("no-such-System.map").toString());
        compare(src, "-C", src.resolve("depmod.conf").toString());
        compare(src, "-P", "xy");
        compare(src, "-A");
        compare(src, "-m", "-n"); // kmod 30 ignores the old -m, -q, -r, -u with a warning, and has no -o nor -I
        compare(src, "--quiet", "-u", "--root", "--map");
        compare(src, "-o", src.toString());
        compare(src, "-I", "x");
        compare(src, "--outdir=" + src);
        Path symvers = Path.of("/usr/src/linux-headers-" + DepTrees.KVER, "Module.symvers");
        if (Files.isRegularFile(symvers)) compare(src, "-e", "-E", symvers.toString());
    }

    /** Part of the tree: two modules compressed, a few damaged, one duplicated into updates/. */
    private Path awkwardTree() throws IOException {
        Path src = newRoot();
        Path k = dir(src).resolve("kernel");
        for (String d : List.of("fs/fat", "fs/ext4", "fs/jbd2", "fs/nls", "drivers/usb/storage"))
            DepTrees.copyTree(tree.resolve("kernel/" + d), k.resolve(d));
        Files.copy(tree.resolve("kernel/fs/mbcache.ko"), k.resolve("fs/mbcache.ko"));
        Files.createDirectories(k.resolve("lib"));
        Files.copy(tree.resolve("kernel/lib/crc16.ko"), k.resolve("lib/crc16.ko"));
        Path nls = k.resolve("fs/nls");
        byte[] utf8 = Files.readAllBytes(nls.resolve("nls_utf8.ko"));
        Files.write(nls.resolve("nls_broken.ko"), java.util.Arrays.copyOf(utf8, 3000));
        Files.writeString(nls.resolve("nls_garbage.ko"), "garbage\n");
        Files.write(nls.resolve("nls_empty.ko"), new byte[0]);
        Files.writeString(nls.resolve("nls_fake.ko.xz"), "not xz\n");
        Files.createDirectories(dir(src).resolve("updates/x"));
        Files.copy(tree.resolve("kernel/fs/fat/fat.ko"), dir(src).resolve("updates/x/fat.ko"));
        List<String> order = new ArrayList<>();
        for (String line : Files.readAllLines(tree.resolve("modules.order")))
            if (line.contains("fs/fat") || line.contains("fs/nls") || line.contains("usb/storage/uas")) order.add(line);
        Files.write(dir(src).resolve("modules.order"), order);
        StringBuilder map = new StringBuilder();
        for (String sym : List.of("printk", "_printk", "kmalloc_caches", "__fentry__", "bogus"))
            map.append("ffffffff81000000 r __ksymtab_").append(sym).append('\n');
        Files.writeString(src.resolve("System.map"), map + "badline\n");
        Files.writeString(src.resolve("depmod.conf"),
                "search x built-in\noverride fat * kernel/fs/fat\nfoo bar\n  # comment\nexclude storage\n");
        gzipUnused(src);
        return src;
    }

    /** Keeps a gzip file beside the tree (not a module name), which neither depmod reads. */
    private static void gzipUnused(Path src) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write("x".getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(src.resolve("unused.gz"), b.toByteArray());
    }
}
