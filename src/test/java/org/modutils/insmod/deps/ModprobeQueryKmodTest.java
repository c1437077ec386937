package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modutils.insmod.tools.Modprobe;

/**
 * modprobe's options beyond loading, against kmod 30's own modprobe (Debian package kmod) on
 * the same input: -c on crafted modprobe.d directories (bad lines, directories inside, softdep
 * lines, -C files and directories, a tree's modules.softdep) and on the real Debian 6.1 tree
 * (its alias and symbol indexes dumped), --show-modversions and --show-exports on modules of
 * that tree and on broken files, MODPROBE_OPTIONS (quoting included), -w, -a, -q, -h and
 * --remove-holders. Same stdout, stderr and exit status; skipped when kmod is absent.
 */
class ModprobeQueryKmodTest {
    private final String kmod = DepTrees.kmodModprobe();
    private Path tmp;

    @BeforeEach
    void needKmod() throws IOException {
        assumeTrue(kmod != null, "no kmod modprobe (scripts/vm/setup.sh provides one in the VM cache, or apt-get install kmod)");
        tmp = Files.createTempDirectory("modprobe-query");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (tmp != null) DepTrees.delete(tmp);
    }

    private Path tree() {
        Path base = Path.of(System.getenv().getOrDefault("VMTEST_CACHE", "/var/cache/vmtest"), "kernel-" + DepTrees.KVER);
        assumeTrue(Files.isRegularFile(base.resolve("lib/modules/" + DepTrees.KVER + "/modules.dep.bin")),
                "no Debian 6.1 module tree in " + base.getParent() + " (run scripts/vm/setup.sh)");
        return base;
    }

    private void compare(String modprobeOptions, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(kmod));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("MODPROBE_OPTIONS");
        if (modprobeOptions != null) env.put("MODPROBE_OPTIONS", modprobeOptions);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path o = tmp.resolve("kmod.out");
        Path e = tmp.resolve("kmod.err");
        int theirs;
        try {
            theirs = pb.redirectOutput(o.toFile()).redirectError(e.toFile()).start().waitFor();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException(ie);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int st;
        try (PrintStream po = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            st = Modprobe.run(args.toArray(new String[0]), env, "/nonexistent/log", po, pe);
        }
        String what = (modprobeOptions == null ? "" : "MODPROBE_OPTIONS='" + modprobeOptions + "' ") + String.join(" ", args);
        assertEquals(new String(Files.readAllBytes(o), StandardCharsets.ISO_8859_1), out.toString(StandardCharsets.ISO_8859_1), what);
        assertEquals(Files.readString(e), err.toString(StandardCharsets.UTF_8), what);
        assertEquals(theirs, st, what);
    }

    private void compare(String... args) throws IOException {
        compare(null, List.of(args));
    }

    /** A modprobe.d of every kind of line, good and bad, and a directory that holds more than files. */
    private Path craftedModprobeD() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("modprobe.d"));
        Files.writeString(d.resolve("t.conf"), "alias a[b c\n"
                + "alias x a]b\n"
                + "alias ok-1 mod-2\n"
                + "alias ok2 mod-3 extra words\n"
                + "options a]b x=1\n"
                + "options  spaced-mod   a=1\tb=2  \n"
                + "blacklist a]b\n"
                + "blacklist bl-1 extra\n"
                + "install a[ /bin/true\n"
                + "install inst-1   /bin/echo  hi\tthere\n"
                + "remove rem-1 /bin/false\n"
                + "softdep a]b pre: c\n"
                + "softdep sd-1 pre: x-1  y post:  z   pre: w\n"
                + "softdep sd-2   post: only\n"
                + "softdep sd-3 nothing here\n"
                + "softdep sd-4 pre:\n"
                + "softdep sd-5 pre: a b post: c\n"
                + "options only-mod\n"
                + "alias\n"
                + "# comment\n"
                + "   # indented comment\n"
                + "\tblacklist tabbed\n"
                + "weird line\n"
                + "include foo\n"
                + "config bar\n"
                + "options cont \\\n  x=1 \\\ny=2\n");
        Files.writeString(d.resolve("a.conf"), "alias a5 b5\noptions ok-1 first=1\n");
        Files.writeString(d.resolve("z.alias"), "alias a2 b2\n");
        Files.writeString(d.resolve(".hidden.conf"), "alias hidden x\n");
        Files.writeString(d.resolve("modules.softdep"), "alias a3 b3\n");
        Files.writeString(d.resolve("noext"), "alias a4 b4\n");
        Files.createDirectories(d.resolve("sub.conf"));
        Files.createSymbolicLink(d.resolve("dangling.conf"), tmp.resolve("nonexistent"));
        return d;
    }

    @Test
    void showConfigOfCraftedModprobeD() throws IOException {
        Path d = craftedModprobeD();
        Path single = tmp.resolve("single.conf");
        Files.writeString(single, "softdep m pre: a b post: c\nsoftdep n post: c d pre: e\noptions ok-1 last=1\nblacklist one\n");
        Path root = tmp.resolve("root");
        Path mods = Files.createDirectories(root.resolve("lib/modules/9.9.9"));
        Files.writeString(mods.resolve("modules.softdep"), "# from the tree\nsoftdep tree-mod pre: crc32c\n");
        compare("-C", d.toString(), "-c");
        compare("-C", single.toString(), "-C", d.toString(), "-c");
        compare("-C", d.toString(), "-C", d.resolve("t.conf").toString(), "-C", single.toString(), "-d", root.toString(),
                "-S", "9.9.9", "--showconfig");
        compare("-C", "/nonexistent", "-d", root.toString(), "-S", "9.9.9", "--show-config");
        compare("-c", "-C", tmp.resolve("nothing-here").toString(), "-q");
    }

    @Test
    void showConfigOfTheDebianTree() throws IOException {
        Path base = tree();
        compare("-d", base.toString(), "-S", DepTrees.KVER, "-c");
        compare("-d", base.toString(), "-S", DepTrees.KVER, "-C", craftedModprobeD().toString(), "-c");
    }

    @Test
    void showModversionsAndExports() throws IOException {
        Path base = tree();
        Path dir = base.resolve("lib/modules/" + DepTrees.KVER);
        List<String> lines = Files.readAllLines(dir.resolve("modules.dep"));
        for (int i = 0; i < lines.size(); i += 97) {
            String path = dir.resolve(lines.get(i).substring(0, lines.get(i).indexOf(':'))).toString();
            compare("--show-modversions", path);
            compare("--show-exports", path);
        }
        Path empty = Files.createFile(tmp.resolve("empty.ko"));
        Path text = Files.writeString(tmp.resolve("text.ko"), "not an ELF file\n");
        for (String p : List.of(empty.toString(), text.toString(), tmp.toString(), "/nonexistent.ko", "fat")) {
            compare("--show-modversions", p);
            compare("--dump-modversions", p);
            compare("--show-exports", p);
        }
        compare("-a", "--show-exports", "/nonexistent.ko");
        compare("-q", "--show-exports", "/nonexistent.ko");
        compare("--show-modversions");
    }

    @Test
    void modprobeOptionsFromTheEnvironment() throws IOException {
        Path d = craftedModprobeD();
        Path single = Files.writeString(tmp.resolve("single.conf"), "alias envalias envmod\n");
        String s = single.toString();
        for (String env : List.of("-C " + s, "\"-C\" " + s, "-C \"" + s + "\"", "-C '" + s + "'", "-q  -C " + s,
                "-C " + s + " ", "-C \"" + s + "\"x", "-C x\"" + s.substring(1) + "\"", "", " ", "-C \"unclosed",
                "-c")) {
            compare(env, List.of("-C", d.toString(), "-c"));
        }
        compare("-q", List.of());
    }

    @Test
    void errorsHelpAndRemovalOptions() throws IOException {
        compare("-h");
        compare("--help");
        compare("-q");
        compare("-w", "x");
        compare("-q", "-w", "0x", "name");
        compare("--wait=", "name");
        Path base = tree();
        List<String> t = List.of("-d", base.toString(), "-S", DepTrees.KVER);
        List<List<String>> cases = List.of(List.of("-w", "0x10", "-r", "-n", "-v", "vfat"),
                List.of("--remove-holders", "-r", "-n", "-v", "vfat"), List.of("--remove-dependencies", "-r", "-n", "vfat"),
                List.of("-a", "-D", "nosuch", "vfat", "other"), List.of("-a", "-q", "-D", "nosuch", "vfat"),
                List.of("-r", "-a", "nosuch", "other"));
        for (List<String> c : cases) {
            List<String> args = new ArrayList<>(t);
            args.addAll(c);
            compare(null, args);
        }
        assertTrue(Files.isDirectory(base));
    }
}
