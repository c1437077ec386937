package org.modutils.insmod.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.modutils.insmod.cli.Insmod;

/**
 * What every fuzz target checks after one input: insmod finished in-process (no exception
 * escaped), said nothing about an "internal error", exited 0 or 1, wrote -O only on success
 * and left no temporary file, used at most a second of CPU, and allocated at most a small
 * multiple of the input (plus the image bound the run was given). A broken rule is an
 * {@link AssertionError}, which Jazzer reports as a finding.
 */
final class FuzzHarness {
    private FuzzHarness() {}

    static final Path ORACLE = Paths.get("testdata/oracle");
    static final String KSYMS32 = ORACLE.resolve("ksyms/ksyms32.txt").toString();
    static final String KSYMS64 = ORACLE.resolve("ksyms/ksyms64.txt").toString();
    /** The image bound given to fuzzed runs (INSMOD_MAX_IMAGE): small, so memory stays small. */
    static final long IMAGE_LIMIT = 1 << 20;
    static final long CPU_LIMIT_NANOS = 1_000_000_000L;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static Path dir;
    private static Path emptyModpath;

    /** A private directory for the object and the -O file, on tmpfs when there is one. */
    static synchronized Path dir() {
        if (dir == null) {
            try {
                Path shm = Paths.get("/dev/shm");
                Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                        : Paths.get(System.getProperty("java.io.tmpdir"));
                dir = Files.createTempDirectory(base, "insmod-fuzz");
                emptyModpath = Files.createDirectories(dir.resolve("modpath"));
                Path made = dir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(made), "fuzz-dir-cleanup"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** Removes the private directory and what is left in it when the JVM ends. */
    private static void deleteTree(Path top) {
        try (java.util.stream.Stream<Path> all = Files.walk(top)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not remove " + top + ": " + e);
        }
    }

    static Map<String, String> env() {
        dir();
        return Map.of("MODULECONFIG", "/dev/null", "MODPATH", emptyModpath.toString(),
                "INSMOD_MAX_IMAGE", Long.toString(IMAGE_LIMIT));
    }

    record Outcome(int rc, String out, String err) {}

    /**
     * Runs {@code insmod --ksyms=K --uname-release=2.4.27 -n -m -O blob [flags] obj [params]}
     * on {@code object} and checks the rules above. {@code inputSize} is the size of the fuzzer
     * input the run was made from (the memory bound scales with it).
     */
    static Outcome insmod(byte[] object, String ksyms, List<String> flags, List<String> params, long inputSize) {
        long[] cost = new long[2];
        Outcome o = insmodOnce(object, ksyms, flags, params, cost);
        long memLimit = 64 * inputSize + 8 * IMAGE_LIMIT + (16 << 20);
        if (cost[0] > CPU_LIMIT_NANOS || cost[1] > memLimit) {
            // Loading and instrumenting classes is charged to the first run that needs them:
            // measure the same input again before calling it a finding.
            o = insmodOnce(object, ksyms, flags, params, cost);
        }
        check(cost[0] > CPU_LIMIT_NANOS, "took " + cost[0] / 1_000_000 + " ms of CPU", o);
        check(cost[1] > memLimit, "allocated " + cost[1] + " bytes for a " + inputSize + "-byte input (limit "
                + memLimit + ")", o);
        return o;
    }

    /** One run and the rules that do not depend on cost; {@code cost} receives CPU ns and bytes allocated. */
    private static Outcome insmodOnce(byte[] object, String ksyms, List<String> flags, List<String> params,
                                      long[] cost) {
        Path d = dir();
        Path obj = d.resolve("fuzz.o");
        Path blob = d.resolve("blob.bin");
        try {
            Files.deleteIfExists(blob);
            Files.write(obj, object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> argv = new ArrayList<>(List.of("--ksyms=" + ksyms, "--uname-release=2.4.27", "-n", "-m",
                "-O", blob.toString()));
        argv.addAll(flags);
        argv.add(obj.toString());
        argv.addAll(params);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long mem0 = THREADS.getCurrentThreadAllocatedBytes();
        Throwable[] caught = new Throwable[1];
        int rc = Insmod.run(argv.toArray(new String[0]), new Insmod.Host(
                new PrintStream(out, false, StandardCharsets.ISO_8859_1),
                new PrintStream(err, false, StandardCharsets.ISO_8859_1), env(), org.modutils.insmod.kernel.LinuxKernel::new,
                t -> caught[0] = t));
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long mem = THREADS.getCurrentThreadAllocatedBytes() - mem0;
        Outcome o = new Outcome(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
        Throwable internal = caught[0];
        if (internal != null) {
            AssertionError e = new AssertionError("internal error: " + internal + "\nstderr:\n" + clip(o.err), internal);
            throw e;
        }
        check(rc != 0 && rc != 1, "exit status " + rc, o);
        boolean written = Files.exists(blob);
        check(rc != 0 && written, "-O file written although insmod failed", o);
        check(rc == 0 && !written, "no -O file although insmod succeeded", o);
        check(rc != 0 && o.err.isEmpty(), "failed without a message", o);
        try (Stream<Path> s = Files.list(d)) {
            List<Path> stray = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            check(!stray.isEmpty(), "temporary files left: " + stray, o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cost[0] = cpu;
        cost[1] = mem;
        return o;
    }

    static void check(boolean broken, String what, Outcome o) {
        if (broken) {
            throw new AssertionError(what + "\nrc=" + o.rc + "\nstdout:\n" + clip(o.out) + "\nstderr:\n" + clip(o.err));
        }
    }

    private static String clip(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }

    /** Checks that a CPU-time and allocation budget held around {@code body}. */
    static void bounded(long inputSize, Runnable body) {
        long memLimit = 64 * inputSize + (16 << 20);
        long cpu = 0, mem = 0;
        for (int attempt = 0; attempt < 2; attempt++) { // the first may pay for class loading
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long mem0 = THREADS.getCurrentThreadAllocatedBytes();
            body.run();
            cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            mem = THREADS.getCurrentThreadAllocatedBytes() - mem0;
            if (cpu <= CPU_LIMIT_NANOS && mem <= memLimit) {
                return;
            }
        }
        if (cpu > CPU_LIMIT_NANOS) {
            throw new AssertionError("took " + cpu / 1_000_000 + " ms of CPU");
        }
        if (mem > memLimit) {
            throw new AssertionError("allocated " + mem + " bytes for a " + inputSize + "-byte input");
        }
    }
}
