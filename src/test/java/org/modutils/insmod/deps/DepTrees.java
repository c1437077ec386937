package org.modutils.insmod.deps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.modutils.insmod.tools.Depmod;

/** Helpers for the depmod tests: module trees in temporary roots, runs of ours and of kmod's. */
final class DepTrees {
    static final String KVER = "6.1.0-57-amd64";

    private DepTrees() {}

    /** What one depmod run printed and returned. */
    record Run(int status, String out, String err) {}

    static Run ours(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int st;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            st = Depmod.run(args, o, e);
        }
        return new Run(st, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * kmod's depmod, or null when there is none: the one scripts/vm/setup.sh keeps in the VM
     * cache (KMOD_BIN: the system's kmod, or kmod unpacked there without installing it), else
     * the system's. kmod's other tools are its siblings.
     */
    static String kmodDepmod() {
        String cache = System.getenv().getOrDefault("VMTEST_CACHE", "/var/cache/vmtest");
        for (String p : new String[] {cache + "/kmod/bin/depmod", "/usr/sbin/depmod", "/sbin/depmod", "/usr/bin/depmod"}) {
            if (!Files.isExecutable(Path.of(p))) continue;
            try {
                Run r = exec(List.of(p, "-V"));
                if (r.out().startsWith("kmod version")) return p;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** kmod's modprobe beside {@link #kmodDepmod()}, or null. */
    static String kmodModprobe() {
        String depmod = kmodDepmod();
        Path p = depmod == null ? null : Path.of(depmod).resolveSibling("modprobe");
        return p != null && Files.isExecutable(p) ? p.toString() : null;
    }

    static Run exec(List<String> cmd) throws IOException {
        Path out = Files.createTempFile("depmod-out", ".txt");
        Path err = Files.createTempFile("depmod-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int st = p.waitFor();
            return new Run(st, Files.readString(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The test resource directory {@code deps/NAME}. */
    static Path resource(String name) {
        try {
            return Path.of(DepTrees.class.getResource("/deps/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) Files.createSymbolicLink(t, Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    static void delete(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            // walk does not follow links: a linked tree is removed as the link, never its target
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) Files.delete(p);
        }
    }

    /** The names of the files depmod writes in kmod 30's order. */
    static final List<String> OUTPUTS = List.of("modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
            "modules.softdep", "modules.symbols", "modules.symbols.bin", "modules.builtin.bin",
            "modules.builtin.alias.bin", "modules.devname");
}
