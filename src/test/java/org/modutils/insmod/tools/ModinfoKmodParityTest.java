package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * modinfo against kmod's own modinfo (Debian package kmod) on the Debian 6.1 module tree the VM
 * tests fetch (VMTEST_CACHE, default /var/cache/vmtest): every tenth signed module of the tree
 * (about 400), byte for byte on stdout and stderr and in exit status, for the default output,
 * -0, -F of several fields, -p, -a -d -l -n; compressed copies; names looked up with -b/-k;
 * damaged files. Skips, saying why, without kmod or the tree.
 */
class ModinfoKmodParityTest {
    private static String kmod;
    private static Path tree;
    private static String kmodFeatures;
    private static List<String> sample;

    @BeforeAll
    static void find() throws Exception {
        for (String p : new String[] {"/usr/sbin/modinfo", "/sbin/modinfo", "/usr/bin/modinfo"}) {
            if (!Files.isExecutable(Path.of(p))) continue;
            ToolRun v = ToolRun.external(Path.of("/"), List.of(p, "-V"));
            if (v.out.startsWith("kmod version")) {
                kmod = p;
                kmodFeatures = v.out;
                break;
            }
        }
        Path cache = Path.of(System.getenv().getOrDefault("VMTEST_CACHE", "/var/cache/vmtest"));
        if (Files.isDirectory(cache)) {
            try (Stream<Path> s = Files.list(cache)) {
                for (Path k : s.filter(p -> p.getFileName().toString().startsWith("kernel-")).collect(Collectors.toList())) {
                    Path mods = k.resolve("lib/modules");
                    if (!Files.isDirectory(mods)) continue;
                    try (Stream<Path> r = Files.list(mods)) {
                        for (Path d : r.collect(Collectors.toList())) if (Files.exists(d.resolve("modules.dep.bin"))) tree = d;
                    }
                }
            }
        }
        if (tree == null) return;
        try (Stream<Path> s = Files.walk(tree)) {
            List<String> all = s.map(Path::toString).filter(n -> n.endsWith(".ko")).sorted().collect(Collectors.toList());
            sample = new ArrayList<>();
            for (int i = 0; i < all.size(); i += 10) sample.add(all.get(i));
        }
    }

    private static void need() {
        assumeTrue(kmod != null, "kmod's modinfo is not installed (apt-get install kmod)");
        assumeTrue(tree != null, "no Debian module tree under $VMTEST_CACHE/kernel-*/lib/modules (scripts/vm-modern-test.sh fetches it)");
    }

    private static void same(Path cwd, List<String> args) throws Exception {
        // argv[0] as a user types it: getopt's messages start with it
        ToolRun theirs = ToolRun.external(cwd, ToolRun.concat(List.of("bash", "-c", "exec -a modinfo \"$0\" \"$@\"", kmod), args));
        ToolRun ours = ToolRun.modinfo(cwd.toString(), args);
        String what = "modinfo " + String.join(" ", args.subList(0, Math.min(args.size(), 6)));
        assertEquals(theirs.err, ours.err, what + ": stderr");
        assertEquals(theirs.status, ours.status, what + ": exit status");
        if (!theirs.out.equals(ours.out)) assertEquals(theirs.out, ours.out, what + ": stdout"); // avoid building 10 MB messages
    }

    @Test
    void sampleOfTheTreeByteForByte() throws Exception {
        need();
        assertTrue(sample.size() >= 300, "sample of " + sample.size());
        for (List<String> opts : List.of(List.<String>of(), List.of("-0"), List.of("-p"), List.of("-p", "-0"),
                List.of("-F", "parm"), List.of("-F", "signature"), List.of("-F", "sig_key", "-0"), List.of("-F", "signer"),
                List.of("-F", "vermagic"), List.of("-F", "alias", "-0"), List.of("-F", "depends"), List.of("-a"),
                List.of("-d"), List.of("-l"), List.of("-n"), List.of("-F", "nosuchfield"))) {
            same(tree, ToolRun.concat(opts, sample));
        }
    }

    @Test
    void compressedCopies(@TempDir Path dir) throws Exception {
        need();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sample.size(); i += 20) {
            Path src = Path.of(sample.get(i));
            String base = src.getFileName().toString();
            for (String[] z : new String[][] {{"xz", "-c"}, {"zstd", "-q", "-c"}}) {
                if (!kmodFeatures.contains("+" + z[0].toUpperCase().replace("ZSTD", "ZSTD"))) continue;
                String ext = z[0].equals("xz") ? ".xz" : ".zst";
                if (compress(z, src, dir.resolve(base + ext))) names.add(base + ext);
            }
        }
        assumeTrue(!names.isEmpty(), "neither xz nor zstd (with kmod support for it) is available");
        same(dir, names);
        same(dir, ToolRun.concat(List.of("-0"), names));
    }

    private static boolean compress(String[] cmd, Path src, Path dst) throws Exception {
        List<String> c = new ArrayList<>(List.of(cmd));
        c.add(src.toString());
        try {
            Process p = new ProcessBuilder(c).redirectOutput(dst.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void gzipCopyShowsWhatThePlainModuleShows(@TempDir Path dir) throws Exception {
        need();
        Path src = Path.of(sample.get(0));
        Path gz = dir.resolve(src.getFileName() + ".gz");
        assumeTrue(compress(new String[] {"gzip", "-c"}, src, gz), "no gzip");
        if (kmodFeatures.contains("+ZLIB")) {
            same(dir, List.of(gz.getFileName().toString()));
            return;
        }
        // this kmod is built without zlib (Debian's): its output for the plain file, with our file name
        ToolRun theirs = ToolRun.external(dir, List.of(kmod, src.toString()));
        ToolRun ours = ToolRun.modinfo(dir.toString(), List.of(gz.getFileName().toString()));
        assertEquals(theirs.out.replace(src.toString(), gz.toString()), ours.out);
        assertEquals(0, ours.status);
    }

    @Test
    void namesLookedUpUnderBasedir() throws Exception {
        need();
        String release = tree.getFileName().toString();
        String root = tree.getParent().getParent().getParent().toString();
        List<String> where = List.of("-b", root, "-k", release);
        for (String n : List.of("e1000e", "ext4", "fs-ext2", "ext2", "crc32c", "nosuch", "a[b", "a]b", "e1000e-x",
                "symbol:jbd2_journal_stop", "symbol:nosuch", "pci:v00008086d00005511sv*sd*bc*sc*i*", "virtio", "unix",
                "usb:v1D6Bp0001d*dc*dsc*dp*ic*isc*ip*in*", "net-pf-1", "crypto-dh", "fs-debugfs", "crypto-sha256")) {
            same(tree, ToolRun.concat(where, List.of(n)));
            same(tree, ToolRun.concat(where, List.of("-0", n)));
            same(tree, ToolRun.concat(where, List.of("-F", "filename", n)));
            same(tree, ToolRun.concat(where, List.of("-m", n)));
        }
        List<String> builtin = Files.readAllLines(tree.resolve("modules.builtin"));
        for (int i = 0; i < builtin.size(); i += Math.max(1, builtin.size() / 15)) {
            String f = builtin.get(i);
            String name = f.substring(f.lastIndexOf('/') + 1).replace(".ko", "");
            same(tree, ToolRun.concat(where, List.of(name)));
            same(tree, ToolRun.concat(where, List.of("-F", "name", name)));
        }
        same(tree, ToolRun.concat(where, List.of("e1000e", "ext4", "nosuch", "crc32c")));
        ToolRun j = ToolRun.modinfo(tree.toString(), ToolRun.concat(where, List.of("--json", "unix", "ext4")));
        assertEquals(0, j.status, j.err);
        assertTrue(j.out.startsWith("[{\"filename\":\"(builtin)\",\"name\":\"unix\",\"builtin\":true,\"format\":\"kmod\","), j.out);
        assertTrue(j.out.contains("{\"key\":\"depends\",\"value\":\"jbd2,mbcache,crc16\"}"), j.out);
    }

    /**
     * Every damaged and fuzzed object of testdata/ offered as a .ko: the same line and status as
     * kmod's, except where kmod's own modinfo aborts (it asserts on some; ours says one line).
     */
    @Test
    void theProjectsDamagedObjects(@TempDir Path dir) throws Exception {
        need();
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(Path.of("testdata/malformed")), Files.walk(Path.of("testdata/fuzz")))) {
            files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        int compared = 0, kmodAborted = 0;
        for (int i = 0; i < files.size(); i++) {
            String name = i + ".ko";
            Files.copy(files.get(i), dir.resolve(name));
            ToolRun theirs = ToolRun.external(dir, List.of("bash", "-c", "exec -a modinfo \"$0\" \"$@\"", kmod, name));
            ToolRun ours = ToolRun.modinfo(dir.toString(), List.of(name));
            assertTrue(!ours.err.contains("internal error") && ours.err.split("\n").length <= 1, files.get(i) + ": " + ours.err);
            if (theirs.status >= 128) {
                kmodAborted++;
                assertEquals(1, ours.status, files.get(i).toString());
                continue;
            }
            assertEquals(theirs.err + theirs.status, ours.err + ours.status, files.get(i).toString());
            assertEquals(theirs.out, ours.out, files.get(i).toString());
            compared++;
        }
        assertTrue(compared > 50, compared + " compared, " + kmodAborted + " where kmod aborted");
    }

    @Test
    void damagedFilesAndUsage(@TempDir Path dir) throws Exception {
        need();
        byte[] good = Files.readAllBytes(Path.of(sample.get(0)));
        Files.write(dir.resolve("empty.ko"), new byte[0]);
        Files.write(dir.resolve("junk.ko"), "not a module at all, just text".getBytes());
        Files.write(dir.resolve("trunc.ko"), java.util.Arrays.copyOf(good, 1000));
        Files.write(dir.resolve("tiny.ko"), java.util.Arrays.copyOf(good, 30));
        Files.write(dir.resolve("badsig.ko"), java.util.Arrays.copyOf(good, good.length - 10));
        byte[] noClass = good.clone();
        noClass[4] = 7;
        Files.write(dir.resolve("class.ko"), noClass);
        Files.createDirectory(dir.resolve("dir.ko"));
        Files.write(dir.resolve("text.txt"), "x".getBytes());
        for (String f : List.of("empty.ko", "junk.ko", "trunc.ko", "tiny.ko", "badsig.ko", "class.ko", "dir.ko", "text.txt",
                "./junk.ko", "missing.ko", "/nonexistent/x.ko")) {
            same(dir, List.of(f));
            same(dir, List.of("-F", "filename", f));
            same(dir, List.of("-F", "sig_id", f));
        }
        same(dir, List.of());
        same(dir, List.of("-F"));
        same(dir, List.of("-z", "x"));
        same(dir, List.of("--nosuch", "x"));
        same(dir, List.of("junk.ko", "empty.ko", "missing.ko"));
    }
}
