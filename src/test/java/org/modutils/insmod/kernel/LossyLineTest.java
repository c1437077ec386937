package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.remote.Bytes;
import org.modutils.insmod.kernel.remote.Link;
import org.modutils.insmod.kernel.remote.Protocol;
import org.modutils.insmod.kernel.remote.RemoteKernel;

/**
 * The real agent behind a line that loses and damages frames, as a 2.4 serial port did under a
 * slow emulator: every request still gets through once, and a request that changes something is
 * never done twice (an append shows it), whichever way a frame was lost.
 */
class LossyLineTest {
    private static final RemoteKernel.Options QUICK = new RemoteKernel.Options(20_000, 20_000, 30);

    @TempDir
    Path tmp;

    private Process agent;

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** What the line does to the n-th frame of one direction (counted from 0, HELLO included). */
    enum Fault { CUT, FLIP, DROP }

    /** A link that cuts or damages chosen outgoing frames and drops or damages chosen answers. */
    static final class LossyLink implements Link {
        final Link inner;
        final Map<Integer, Fault> out = new HashMap<>();
        final Map<Integer, Fault> in = new HashMap<>();
        int sent, received;
        private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        private byte[] ready = new byte[0];
        private int readyAt;

        LossyLink(Link inner) {
            this.inner = inner;
        }

        @Override
        public void write(byte[] b) throws IOException {
            Fault f = out.remove(sent++);
            if (f == Fault.CUT)
                inner.write(Arrays.copyOf(b, b.length / 2));    // the rest never arrives
            else if (f == Fault.FLIP) {
                byte[] c = b.clone();
                c[c.length / 2] ^= 0x40;
                inner.write(c);
            } else if (f == null)
                inner.write(b);
        }

        @Override
        public int read(byte[] b, int off, int len, long timeoutMillis) throws IOException {
            if (readyAt == ready.length) {
                byte[] t = new byte[65536];
                int n = inner.read(t, 0, t.length, timeoutMillis);
                if (n <= 0)
                    return n;
                raw.write(t, 0, n);
                ready = frames();
                readyAt = 0;
                if (ready.length == 0)
                    return 0;
            }
            int n = Math.min(len, ready.length - readyAt);
            System.arraycopy(ready, readyAt, b, off, n);
            readyAt += n;
            return n;
        }

        /** The whole answer frames received so far, after the faults for their numbers. */
        private byte[] frames() {
            byte[] r = raw.toByteArray();
            ByteArrayOutputStream pass = new ByteArrayOutputStream();
            int at = 0;
            while (r.length - at >= Protocol.HEADER) {
                int total = Protocol.HEADER + Bytes.getInt(r, at + 4) + Protocol.TRAILER;
                if (r.length - at < total)
                    break;
                byte[] frame = Arrays.copyOfRange(r, at, at + total);
                Fault f = in.remove(received++);
                if (f == Fault.FLIP)
                    frame[frame.length / 2] ^= 0x40;
                if (f != Fault.DROP)
                    pass.writeBytes(frame);
                at += total;
            }
            raw.reset();
            raw.write(r, at, r.length - at);
            return pass.toByteArray();
        }

        @Override
        public void drain() throws IOException {
            inner.drain();
        }

        @Override
        public String describe() {
            return "lossy " + inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private RemoteKernel kernel(LossyLink[] holder) throws Exception {
        agent = AgentProcess.start("--stdio");
        Process p = agent;
        return RemoteKernel.over("lossy", () -> holder[0] = new LossyLink(AgentProcess.stdio(p)), QUICK);
    }

    private static byte[] random(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void anAppendSurvivesCutDamagedAndLostFramesAndHappensOnce() throws Exception {
        LossyLink[] link = new LossyLink[1];
        Path f = tmp.resolve("log");
        byte[] first = random(1000, 1);
        byte[] second = random(5000, 2);            // 12 STAGE frames and the WRITE_FILE
        try (RemoteKernel k = kernel(link)) {
            k.writeFile(f.toString(), first);
            int base = link[0].sent, answers = link[0].received;
            link[0].out.put(base + 2, Fault.CUT);        // a STAGE frame loses its tail
            link[0].out.put(base + 5, Fault.FLIP);       // one arrives damaged: the agent says so
            link[0].in.put(answers + 7, Fault.DROP);     // a STAGE done, its answer lost
            link[0].in.put(answers + 9, Fault.FLIP);     // a STAGE done, its answer damaged
            link[0].in.put(answers + 12, Fault.DROP);    // the append done, its answer lost
            long t0 = System.nanoTime();
            k.appendFile(f.toString(), second);
            assertTrue(link[0].out.isEmpty() && link[0].in.isEmpty(), "every fault was applied");
            assertTrue(link[0].sent > base + 13, "lost frames were sent again: " + (link[0].sent - base));
            assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "recovered by resending, not by timing out");
        }
        byte[] want = new byte[first.length + second.length];
        System.arraycopy(first, 0, want, 0, first.length);
        System.arraycopy(second, 0, want, first.length, second.length);
        assertArrayEquals(want, Files.readAllBytes(f), "the append happened exactly once");
    }

    @Test
    void aReadWhoseDataFrameIsLostIsAskedAgain() throws Exception {
        LossyLink[] link = new LossyLink[1];
        byte[] data = random(100_000, 3);                  // seven DATA frames and an OK
        Path f = tmp.resolve("big");
        Files.write(f, data);
        try (RemoteKernel k = kernel(link)) {
            link[0].in.put(link[0].received + 3, Fault.DROP);
            assertArrayEquals(data, k.readFile(f.toString()));
            link[0].in.put(link[0].received + 1, Fault.FLIP);
            assertArrayEquals(data, k.readFile(f.toString()));
            assertEquals(Map.of(), link[0].in);
        }
    }
}
