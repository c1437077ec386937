package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modutils.insmod.kernel.remote.Bytes;
import org.modutils.insmod.kernel.remote.Frame;
import org.modutils.insmod.kernel.remote.Protocol;

/** The agent at the frame level: refusals, corrupt and malformed frames, fuzzing, stalls, EOF. */
class AgentRobustnessTest {
    /** The port under test (subclasses run the same checks on the arm and mips ports under qemu-user). */
    protected String arch() {
        return "i386";
    }

    protected String archName() {
        return "i386";
    }

    private Process agent;
    private OutputStream toAgent;
    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        agent = AgentProcess.startPort(arch(), "--stdio");
        toAgent = agent.getOutputStream();
        InputStream in = agent.getInputStream();
        Thread t = new Thread(() -> pump(in), "agent-answers");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (agent == null) {
            return; // start() skipped: the port could not be built (its message says why)
        }
        agent.destroy();
        agent.waitFor(5, TimeUnit.SECONDS);
    }

    /** Parses every answer strictly: the agent must never emit a frame that is not well formed. */
    private void pump(InputStream raw) {
        DataInputStream in = new DataInputStream(raw);
        try {
            for (;;) {
                byte[] h = new byte[8];
                in.readFully(h);
                if (h[0] != 'K' || h[1] != 'M') {
                    answers.add("bad magic from agent");
                    return;
                }
                int len = Bytes.getInt(h, 4);
                if (len < 0 || len > Protocol.MAX_PAYLOAD) {
                    answers.add("bad length from agent: " + len);
                    return;
                }
                byte[] rest = new byte[len + 4];
                in.readFully(rest);
                CRC32 c = new CRC32();
                c.update(h);
                c.update(rest, 0, len);
                if ((int) c.getValue() != Bytes.getInt(rest, len)) {
                    answers.add("bad checksum from agent");
                    return;
                }
                byte[] p = new byte[len];
                System.arraycopy(rest, 0, p, 0, len);
                answers.add(new Frame(h[2] & 0xff, h[3] & 0xff, p));
            }
        } catch (IOException e) {
            answers.add("EOF");
        }
    }

    private void send(byte[] b) throws IOException {
        toAgent.write(b);
        toAgent.flush();
    }

    private Frame next(long ms) throws InterruptedException {
        Object o = answers.poll(ms, TimeUnit.MILLISECONDS);
        assertNotNull(o, "no answer within " + ms + " ms");
        if (o instanceof String s)
            throw new AssertionError(s);
        return (Frame) o;
    }

    private Frame request(int type, int seq, byte[] payload) throws Exception {
        send(new Frame(type, seq, payload).encode());
        return next(5000);
    }

    private static int errCode(Frame f) {
        assertEquals(Protocol.ERR, f.type(), "expected ERR");
        return Bytes.getInt(f.payload(), 0);
    }

    /** HELLO until answered (the agent may still be discarding a stalled frame); proves it is alive. */
    private void assertAlive() throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        int nonce = 0x5eed0000;
        while (System.currentTimeMillis() < deadline) {
            nonce++;
            send(new Frame(Protocol.HELLO, 0xfe, Bytes.builder().u32(nonce).u32(0).build()).encode());
            long until = System.currentTimeMillis() + 1500;
            while (System.currentTimeMillis() < until) {
                Object o = answers.poll(200, TimeUnit.MILLISECONDS);
                if (o instanceof String s)
                    throw new AssertionError("agent died or misbehaved: " + s);
                if (o instanceof Frame f && f.type() == Protocol.OK && f.seq() == 0xfe && Bytes.getInt(f.payload(), 0) == nonce)
                    return;
            }
        }
        throw new AssertionError("agent stopped answering HELLO");
    }

    @Test
    void helloEchoesNonceAndDescribesTheAgent() throws Exception {
        Frame f = request(Protocol.HELLO, 9, Bytes.builder().u32(0xCAFEBABEL).u32(7).build());
        assertEquals(Protocol.OK, f.type());
        assertEquals(9, f.seq());
        byte[] p = f.payload();
        assertEquals(0xCAFEBABE, Bytes.getInt(p, 0));
        assertEquals(Protocol.VERSION, p[4]);
        assertEquals(4, p[6]);
        assertEquals(Protocol.MAX_PAYLOAD, Bytes.getInt(p, 8));
        assertEquals(7, Bytes.getInt(p, 20), "idle limit taken over");
        assertEquals(archName(), Bytes.cstrings(p, 24, 1)[0]);
        Frame next = request(Protocol.HELLO, 10, Bytes.builder().u32(1).u32(0).build());
        assertEquals(30, Bytes.getInt(next.payload(), 20), "a new session's idle 0 is the agent's own limit, not the last session's");
    }

    /** A request sent again (its answer was lost) is answered again; what it changed is changed once. */
    @Test
    void aRepeatedStageOrCreateIsAnsweredFromMemory() throws Exception {
        Frame hello = request(Protocol.HELLO, 1, Bytes.builder().u32(5).u32(0).build());
        assertEquals(Protocol.OK, hello.type());
        byte[] chunk = Bytes.builder().u32(0).u32(8).bytes(new byte[4], 0, 4).build();
        Frame a = request(Protocol.STAGE, 2, chunk);
        Frame b = request(Protocol.STAGE, 2, chunk);
        assertEquals(Protocol.OK, b.type());
        assertEquals(4, Bytes.getInt(b.payload(), 0));
        assertArrayEquals(a.payload(), b.payload());
        byte[] second = Bytes.builder().u32(4).u32(8).bytes(new byte[4], 0, 4).build();
        Frame c = request(Protocol.STAGE, 3, second);
        assertEquals(8, Bytes.getInt(c.payload(), 0), "the repeat did not stage its bytes again");
        // The same bytes under a new number are a new request: here out of sequence.
        assertEquals(Protocol.E_STATE, errCode(request(Protocol.STAGE, 4, second)));
        // A refusal is repeated as it was (create_module is ENOSYS on this modern host).
        byte[] create = Bytes.builder().u32(4096).cstring("x").build();
        Frame e1 = request(Protocol.CREATE_MODULE, 5, create);
        Frame e2 = request(Protocol.CREATE_MODULE, 5, create);
        assertArrayEquals(new Frame(e1.type(), e1.seq(), e1.payload()).encode(),
                new Frame(e2.type(), e2.seq(), e2.payload()).encode());
    }

    @Test
    void unknownRequestsAreRefused() throws Exception {
        for (int type : new int[] {0x00, 0x0E, 0x3F, 0x7F}) {   // 0x0E: the first after READ_AT
            Frame f = request(type, type, new byte[] {1, 2, 3});
            assertEquals(Protocol.E_UNKNOWN_REQUEST, errCode(f), "type " + type);
            assertEquals(type, f.seq());
        }
        assertAlive();
    }

    @Test
    void corruptChecksumIsReportedAndTheNextFrameStillWorks() throws Exception {
        byte[] b = new Frame(Protocol.UNAME, 3, new byte[0]).encode();
        b[b.length - 1] ^= 0x40;
        send(b);
        Frame f = next(5000);
        assertEquals(Protocol.E_BAD_FRAME, errCode(f));
        Frame ok = request(Protocol.UNAME, 4, new byte[0]);
        assertEquals(Protocol.OK, ok.type());
        assertEquals("Linux", Bytes.cstrings(ok.payload(), 0, 1)[0]);
    }

    @Test
    void malformedPayloadsAreRefusedNotObeyed() throws Exception {
        byte[][] bad = {
                Bytes.builder().u32(1).build(),                                     // HELLO short
                {1},                                                                // UNAME with payload
                "/proc/version".getBytes(),                                         // READ no NUL
                Bytes.builder().cstring("relative/path").build(),                   // READ relative
                {0},                                                                // READ empty name
                Bytes.builder().u32(0).build(),                                     // STAGE short
                Bytes.builder().u32(2).u32(0644).cstring("/tmp/x").build(),         // WRITE bad flags
                Bytes.builder().u32(0).u32(0644).build(),                           // WRITE no path
                Bytes.builder().u32(9).u32(0).u8(0).build(),                        // QUERY bad which
                Bytes.builder().u32(1).u32(0).u8(1).build(),                        // QUERY name missing
                Bytes.builder().u32(4096).cstring("x".repeat(65)).build(),          // CREATE name too long
                new byte[0],                                                        // INIT no name
                Bytes.builder().u8(2).build(),                                      // DELETE bad flag
                Bytes.builder().cstring("/a").u8(0).build(),                        // STAT trailing junk
                {7},                                                                // TIME with payload
                {7},                                                                // KLOG with payload
        };
        int[] types = {Protocol.HELLO, Protocol.UNAME, Protocol.READ_FILE, Protocol.READ_FILE, Protocol.READ_FILE,
                Protocol.STAGE, Protocol.WRITE_FILE, Protocol.WRITE_FILE, Protocol.QUERY_MODULE, Protocol.QUERY_MODULE,
                Protocol.CREATE_MODULE, Protocol.INIT_MODULE, Protocol.DELETE_MODULE, Protocol.STAT, Protocol.TIME,
                Protocol.KLOG};
        for (int i = 0; i < bad.length; i++) {
            Frame f = request(types[i], i, bad[i]);
            assertEquals(Protocol.E_BAD_REQUEST, errCode(f), "case " + i);
        }
        assertAlive();
    }

    @Test
    void stagingIsCheckedForSequenceAndSize() throws Exception {
        assertEquals(Protocol.OK, request(Protocol.STAGE, 1, Bytes.builder().u32(0).u32(10).bytes(new byte[4], 0, 4).build()).type());
        assertEquals(Protocol.E_STATE, errCode(request(Protocol.STAGE, 2, Bytes.builder().u32(8).u32(10).bytes(new byte[2], 0, 2).build())));
        assertEquals(Protocol.E_BAD_REQUEST, errCode(request(Protocol.STAGE, 3, Bytes.builder().u32(4).u32(10).bytes(new byte[7], 0, 7).build())));
        // init_module with an incomplete image is refused before any syscall.
        assertEquals(Protocol.E_STATE, errCode(request(Protocol.INIT_MODULE, 4, Bytes.builder().cstring("m").build())));
        assertEquals(Protocol.E_TOO_LARGE, errCode(request(Protocol.STAGE, 5, Bytes.builder().u32(0).u32(64 << 20).build())));
    }

    @Test
    void survivesThousandsOfRandomFrames() throws Exception {
        Random r = new Random(0x24);
        // Types with a valid checksum may run: WRITE_FILE could create files at random paths, so it is left out.
        int[] runnable = {0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x00, 0x42, 0x7F, 0x80, 0x82, 0xFF};
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 4000; i++) {
            int kind = r.nextInt(6);
            byte[] payload = new byte[r.nextInt(kind == 5 ? 2000 : 40)];
            r.nextBytes(payload);
            if (r.nextBoolean() && payload.length > 0)
                payload[payload.length - 1] = 0;           // sometimes a terminated string
            byte[] frame = new Frame(runnable[r.nextInt(runnable.length)], r.nextInt(256), payload).encode();
            switch (kind) {
                case 0 -> frame[frame.length - 1 - r.nextInt(4)] ^= (byte) (1 + r.nextInt(255));     // bad CRC
                case 1 -> Bytes.putInt(frame, 4, r.nextInt());                                       // lying length
                case 2 -> frame = java.util.Arrays.copyOf(frame, r.nextInt(frame.length));          // truncated
                case 3 -> r.nextBytes(frame);                                                       // noise
                default -> { }                                                                      // well formed
            }
            batch.writeBytes(frame);
            if (i % 10 == 0)                                // a good request among the junk
                batch.writeBytes(new Frame(Protocol.UNAME, 0xA5, new byte[0]).encode());
            if (batch.size() > 32 * 1024) {
                send(batch.toByteArray());
                batch.reset();
            }
        }
        send(batch.toByteArray());
        // Every answer it produced along the way was well formed (the pump fails on anything else).
        List<Object> seen = new ArrayList<>();
        long until = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < until) {
            Object o = answers.poll(100, TimeUnit.MILLISECONDS);
            if (o != null)
                seen.add(o);
        }
        assertFalse(seen.stream().anyMatch(o -> o instanceof String), seen.toString());
        long refusals = seen.stream().filter(o -> o instanceof Frame f && f.type() == Protocol.ERR).count();
        long served = seen.stream().filter(o -> o instanceof Frame f && f.type() == Protocol.OK && f.seq() == 0xA5
                && Bytes.cstrings(f.payload(), 0, 1)[0].equals("Linux")).count();
        // Junk that lies about its length can swallow a following good request, but most must be served.
        assertTrue(refusals > 500 && served > 200, refusals + " refusals, " + served + " of 400 good requests served");
        assertAlive();
        assertTrue(agent.isAlive());
    }

    @Test
    void aStalledFrameIsAbandoned() throws Exception {
        byte[] f = new Frame(Protocol.STAGE, 1, new byte[4000]).encode();
        send(java.util.Arrays.copyOf(f, 100));             // the header promises 4000 bytes; 92 arrive
        long t0 = System.currentTimeMillis();
        assertAlive();                                      // our HELLO sits inside the stalled frame until it is dropped
        long ms = System.currentTimeMillis() - t0;
        assertTrue(ms >= 500 && ms < 8000, "answered after " + ms + " ms");
    }

    @Test
    void oversizedLengthIsSkipped() throws Exception {
        byte[] h = {'K', 'M', Protocol.UNAME, 1, 0, 0, 0, 0x7f};
        send(h);
        Frame ok = request(Protocol.UNAME, 2, new byte[0]);
        assertEquals(Protocol.OK, ok.type());
    }

    @Test
    void exitsQuietlyOnEof() throws Exception {
        toAgent.close();
        assertTrue(agent.waitFor(5, TimeUnit.SECONDS));
        assertEquals(0, agent.exitValue());
    }
}
