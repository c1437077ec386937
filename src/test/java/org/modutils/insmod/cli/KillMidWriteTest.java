package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM or SIGINT while insmod writes a large -O image: the file afterwards is the old one
 * (or absent when there was none) or the complete new image, never a partial one, and the
 * shutdown hook leaves no temporary file. Half the signals are sent the moment the temporary
 * file appears, so they land in the middle of the write; the others at a random moment of the
 * whole run.
 */
class KillMidWriteTest {
    static final int BSS = 48 << 20;
    static final int ROUNDS = 12;

    @TempDir
    Path tmp;

    Path makeObject() throws Exception {
        Path src = tmp.resolve("big.s");
        Files.writeString(src, """
                .text
                .globl init_module
                init_module: ret
                .globl cleanup_module
                cleanup_module: ret
                .section .modinfo,"a"
                .string "kernel_version=2.4.27"
                .string "license=GPL"
                .bss
                .globl big
                big: .space %d
                """.formatted(BSS));
        Path obj = tmp.resolve("big.o");
        Process as;
        try {
            as = new ProcessBuilder("as", "--32", "-o", obj.toString(), src.toString()).inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "GNU as is not installed (apt-get install binutils)");
            return null;
        }
        assertEquals(0, as.waitFor());
        return obj;
    }

    Process start(Path obj, Path blob) throws IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--ksyms=testdata/oracle/ksyms/ksyms32.txt", "--uname-release=2.4.27", "-n", "-O", blob.toString(),
                obj.toString());
        pb.environment().put("MODULECONFIG", "/dev/null");
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("child.log").toFile());
        return pb.start();
    }

    static byte[] sha(Path p) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    }

    List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void aSignalNeverLeavesAPartialImage() throws Exception {
        Path obj = makeObject();
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path blob = out.resolve("blob.bin");

        long t0 = System.nanoTime();
        Process ref = start(obj, blob);
        assertTrue(ref.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, ref.exitValue(), Files.readString(tmp.resolve("child.log")));
        long full = System.nanoTime() - t0;
        byte[] complete = sha(blob);
        long completeSize = Files.size(blob);
        assertTrue(completeSize > BSS);

        byte[] old = "an older image\n".getBytes(StandardCharsets.ISO_8859_1);
        Random rnd = new Random(6);
        int midWrite = 0, oldKept = 0, newWritten = 0;
        for (int round = 0; round < ROUNDS; round++) {
            boolean hadOld = round % 3 != 0;
            Files.deleteIfExists(blob);
            if (hadOld) {
                Files.write(blob, old);
            }
            Process p = start(obj, blob);
            boolean atTemporary = round % 2 == 0;
            if (atTemporary) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (temporaries(out).isEmpty() && p.isAlive() && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                if (!temporaries(out).isEmpty()) {
                    midWrite++;
                }
                Thread.sleep(rnd.nextInt(20));
            } else {
                TimeUnit.NANOSECONDS.sleep((long) (rnd.nextDouble() * full * 1.1));
            }
            String signal = round % 4 < 2 ? "TERM" : "INT";
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "insmod did not stop on SIG" + signal);

            String what = "round " + round + " (SIG" + signal + (atTemporary ? ", mid-write" : "") + ")";
            if (Files.exists(blob) && Files.size(blob) == completeSize) {
                assertArrayEquals(complete, sha(blob), what + ": a full-size file must be the complete image");
                newWritten++;
            } else if (hadOld) {
                assertArrayEquals(old, Files.readAllBytes(blob), what + ": the old file must be kept");
                oldKept++;
            } else {
                assertTrue(!Files.exists(blob), () -> what + ": no file, or the complete image; found "
                        + blob.toFile().length() + " bytes");
                oldKept++;
            }
            assertEquals(List.of(), temporaries(out), what + ": temporary files left");
        }
        assertTrue(midWrite >= ROUNDS / 4, "signals sent while the temporary file existed: " + midWrite);
        System.out.println("KillMidWriteTest: " + ROUNDS + " signals, " + midWrite + " during the write, old kept "
                + oldKept + ", new complete " + newWritten);
    }
}
