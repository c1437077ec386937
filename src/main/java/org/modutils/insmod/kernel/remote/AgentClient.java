package org.modutils.insmod.kernel.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.modutils.insmod.kernel.KernelException;

/**
 * The host end of the agent protocol: one request at a time, answered by zero or more DATA frames
 * and one OK or ERR frame carrying the request's sequence number. After any link failure the
 * client stays broken (the stream position is unknown) and every later call fails the same way.
 */
public final class AgentClient implements AutoCloseable {

    /** What the agent said about itself in HELLO. */
    public record Hello(int version, boolean legacy, int wordSize, boolean bigEndian, int maxPayload,
                        long stageMax, long bulkMax, int idleSeconds, String arch) {}

    /** A successful answer: the DATA frames joined, and the OK frame's payload. */
    public record Reply(byte[] data, byte[] result) {}

    private final Link link;
    private final long timeoutMillis;
    private final byte[] in = new byte[2 * (Protocol.HEADER + Protocol.MAX_PAYLOAD + Protocol.TRAILER)];
    private int inStart, inEnd;
    private int seq;
    private Hello hello;
    private String broken;
    private long lastByte;

    private AgentClient(Link link, long timeoutMillis) {
        this.link = link;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Greets the agent (HELLO with a random nonce, retried while stale or partial frames from an
     * earlier session are flushed out) and asks it to delete created-but-uninitialised modules
     * after {@code idleSeconds} without a valid frame (0 keeps the agent's setting).
     */
    public static AgentClient connect(Link link, int idleSeconds, long timeoutMillis) throws KernelException {
        AgentClient c = new AgentClient(link, timeoutMillis);
        try {
            c.handshake(idleSeconds);
            return c;
        } catch (KernelException e) {
            link.close();
            throw e;
        }
    }

    private void handshake(int idleSeconds) throws KernelException {
        SecureRandom rnd = new SecureRandom();
        long perTry = Math.max(500, Math.min(timeoutMillis, 3000));
        int tries = (int) Math.max(3, timeoutMillis / perTry + 1);
        try {
            link.drain();
        } catch (IOException e) {
            throw fail("cannot use the link: " + e.getMessage());
        }
        for (int t = 0; t < tries; t++) {
            int nonce = rnd.nextInt();
            int s = nextSeq();
            send(new Frame(Protocol.HELLO, s, Bytes.builder().u32(nonce).u32(idleSeconds).build()), "hello");
            long deadline = System.currentTimeMillis() + perTry;
            for (;;) {
                Frame f = readFrame(deadline, "hello");
                if (f == null)
                    break;                                  // this try timed out
                if (f.seq() != s || f.type() != Protocol.OK || f.payload().length < 25)
                    continue;                               // stale or refused greeting
                byte[] p = f.payload();
                if (Bytes.getInt(p, 0) != nonce)
                    continue;
                int end = 24;
                while (end < p.length && p[end] != 0)
                    end++;
                hello = new Hello(p[4] & 0xff, p[5] != 0, p[6] & 0xff, p[7] != 0, Bytes.getInt(p, 8),
                        Bytes.getUInt(p, 12), Bytes.getUInt(p, 16), Bytes.getInt(p, 20),
                        new String(p, 24, end - 24, StandardCharsets.ISO_8859_1));
                if (hello.version() < 1 || hello.version() > Protocol.VERSION)
                    throw fail("the agent speaks protocol version " + hello.version() + ", this insmod "
                            + Protocol.VERSION + " (and 1)");
                if (hello.wordSize() != 4 && hello.wordSize() != 8)
                    throw fail("the agent reports a word size of " + hello.wordSize() + " bytes");
                return;
            }
        }
        throw fail("no insmod agent answered on " + link.describe() + " within "
                + (tries * perTry / 1000) + " s");
    }

    public Hello hello() {
        return hello;
    }

    public String describe() {
        return link.describe();
    }

    public boolean broken() {
        return broken != null;
    }

    /**
     * Sends one request and collects its answer. An ERR answer becomes a {@link KernelException}.
     * When nothing of the answer comes back for a while, or the agent saw the request damaged, the
     * same frame (same sequence number) goes again: an agent of protocol version 2 answers a
     * repeated state-changing request from its memory instead of doing it twice, and does a
     * repeated read again. A serial line that drops or mangles bytes costs a resend, not the load.
     */
    public Reply call(int type, byte[] payload, long timeout, String what) throws KernelException {
        if (broken != null)
            throw new LinkException(broken);
        int s = nextSeq();
        byte[] frame = new Frame(type, s, payload).encode();
        send(frame, what);
        Resend resend = new Resend(hello.version() >= 2, link.wireMillis(frame.length));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long since = System.currentTimeMillis();
        for (;;) {
            Frame f = readFrame(Math.min(since + timeout, resend.due()), what);
            long now = System.currentTimeMillis();
            if (f == null) {
                if (now >= since + timeout)
                    throw fail("no answer from the agent on " + link.describe() + " within "
                            + (now - since + 500) / 1000 + " s during " + what);
                again(frame, resend, data, what);
                continue;
            }
            if (f.seq() != s)
                continue;                                   // an answer to an abandoned request
            since = now;
            resend.progress();
            switch (f.type()) {
                case Protocol.DATA -> data.writeBytes(f.payload());
                case Protocol.OK -> {
                    if (complete(type, payload, data.size(), f.payload()))
                        return new Reply(data.toByteArray(), f.payload());
                    data.reset();                           // DATA frames were lost: wait for a resend's
                }
                case Protocol.ERR -> {
                    if (!damaged(f.payload()) || !resend.allowed())
                        throw refusal(f.payload(), what);
                    again(frame, resend, data, what);
                }
                default -> throw fail("unexpected frame type 0x" + Integer.toHexString(f.type())
                        + " from the agent on " + link.describe() + " during " + what);
            }
        }
    }

    /**
     * When to send a request again: after 1.5 s of silence (plus twice the frame's time on a slow
     * serial line), then doubling up to 8 s, at most five times.
     */
    private static final class Resend {
        private final boolean allowed;
        private long interval;
        private long due;
        private int count;

        Resend(boolean allowed, long wireMillis) {
            this.allowed = allowed;
            this.interval = 1500 + 2 * wireMillis;
            this.due = allowed ? System.currentTimeMillis() + interval : Long.MAX_VALUE;
        }

        long due() {
            return due;
        }

        boolean allowed() {
            return allowed && count < 5;
        }

        void progress() {
            if (allowed())
                due = System.currentTimeMillis() + interval;
        }

        void sent() {
            count++;
            interval = Math.max(interval, Math.min(2 * interval, 8000));
            due = allowed() ? System.currentTimeMillis() + interval : Long.MAX_VALUE;
        }
    }

    private void again(byte[] frame, Resend resend, ByteArrayOutputStream data, String what) throws KernelException {
        dropStalledPartial();
        data.reset();
        send(frame, what);
        resend.sent();
    }

    /**
     * Whether the DATA frames collected add up to what the OK frame says was sent (a lost DATA
     * frame, or the tail of an earlier attempt's answer, shows as a different length).
     */
    private static boolean complete(int type, byte[] request, int got, byte[] ok) {
        return switch (type) {
            case Protocol.READ_FILE, Protocol.KLOG, Protocol.READ_AT -> ok.length >= 4 && Bytes.getUInt(ok, 0) == got;
            case Protocol.QUERY_MODULE -> ok.length >= 4 && request.length >= 8
                    && got == (Bytes.getInt(ok, 0) == 0 ? Bytes.getUInt(request, 4) : 0);
            default -> got == 0;
        };
    }

    private static boolean damaged(byte[] err) {
        return err.length >= 4 && Bytes.getInt(err, 0) == Protocol.E_BAD_FRAME;
    }

    public Reply call(int type, byte[] payload, String what) throws KernelException {
        return call(type, payload, timeoutMillis, what);
    }

    private KernelException refusal(byte[] p, String what) {
        int code = p.length >= 4 ? Bytes.getInt(p, 0) : 0;
        int errno = p.length >= 8 ? Bytes.getInt(p, 4) : 0;
        String msg = p.length > 8 ? Bytes.cstrings(p, 8, 1)[0] : "";
        return switch (code) {
            case Protocol.E_SYSCALL -> new KernelException(errno, Errno.text(errno));
            case Protocol.E_BAD_FRAME -> {
                broken = "the agent on " + link.describe() + " received a corrupt frame during " + what;
                yield new LinkException(broken);
            }
            case Protocol.E_UNKNOWN_REQUEST -> new KernelException("the agent on " + link.describe()
                    + " does not know the request for " + what + " (older agent?)");
            default -> new KernelException("the agent on " + link.describe() + " refused " + what
                    + (msg.isEmpty() ? "" : ": " + msg));
        };
    }

    private int nextSeq() {
        seq = (seq + 1) & 0xff;
        return seq;
    }

    private void send(Frame f, String what) throws KernelException {
        send(f.encode(), what);
    }

    private void send(byte[] frame, String what) throws KernelException {
        try {
            link.write(frame);
        } catch (IOException e) {
            throw fail("lost the link to " + link.describe() + " while sending " + what + ": " + e.getMessage());
        }
    }

    private LinkException fail(String message) {
        broken = message;
        return new LinkException(message);
    }

    /**
     * Reads the next well-formed answer frame, skipping bytes that cannot start one and frames
     * whose checksum fails (the resend recovers what they held). Returns null at the deadline.
     */
    private Frame readFrame(long deadline, String what) throws KernelException {
        for (;;) {
            Frame f = nextBuffered();
            if (f != null)
                return f;
            if (inStart > 0) {
                System.arraycopy(in, inStart, in, 0, inEnd - inStart);
                inEnd -= inStart;
                inStart = 0;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0)
                return null;
            int n;
            try {
                n = link.read(in, inEnd, in.length - inEnd, left);
            } catch (IOException e) {
                throw fail("lost the link to " + link.describe() + " during " + what + ": " + e.getMessage());
            }
            if (n < 0)
                throw fail("the agent on " + link.describe() + " closed the link during " + what);
            if (n > 0)
                lastByte = System.currentTimeMillis();
            inEnd += n;
        }
    }

    /**
     * Before a resend: a partial frame that got no byte for a second lost bytes on the way (its
     * length would swallow the next answer), so the search for a frame start moves past it.
     */
    private void dropStalledPartial() {
        if (inEnd > inStart && System.currentTimeMillis() - lastByte >= 1000)
            inStart++;
    }

    /**
     * The first well-formed answer frame in the buffer, taken out of it; null when the buffer
     * holds none complete yet. Bytes that cannot start one are dropped.
     */
    private Frame nextBuffered() {
        for (;;) {
            skipToMagic();
            int avail = inEnd - inStart;
            if (avail < Protocol.HEADER)
                return null;
            long len = Bytes.getUInt(in, inStart + 4);
            if (len > Protocol.MAX_PAYLOAD || (in[inStart + 2] & 0x80) == 0) {
                inStart++;                              // not an answer header
                continue;
            }
            int total = Protocol.HEADER + (int) len + Protocol.TRAILER;
            if (avail < total)
                return null;
            int crc = Frame.crc(in, inStart, Protocol.HEADER + (int) len);
            if (crc != Bytes.getInt(in, inStart + Protocol.HEADER + (int) len)) {
                inStart++;                              // damaged: a real frame may start inside it
                continue;
            }
            byte[] payload = new byte[(int) len];
            System.arraycopy(in, inStart + Protocol.HEADER, payload, 0, (int) len);
            Frame f = new Frame(in[inStart + 2] & 0xff, in[inStart + 3] & 0xff, payload);
            inStart += total;
            return f;
        }
    }

    /** Moves the buffer's start to the next "KM" (or a 'K' at its end); empties it when there is none. */
    private void skipToMagic() {
        for (int i = inStart; i < inEnd; i++) {
            if (in[i] == 'K' && (i + 1 == inEnd || in[i + 1] == 'M')) {
                inStart = i;
                return;
            }
        }
        inStart = inEnd = 0;
    }

    @Override
    public void close() {
        link.close();
    }
}
