package org.modutils.insmod.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.modutils.insmod.kernel.remote.Bytes;
import org.modutils.insmod.kernel.remote.Link;
import org.modutils.insmod.kernel.remote.Protocol;

/**
 * A line that cuts or damages chosen outgoing frames and drops or damages chosen answer frames,
 * as a 2.4 serial port did under a slow emulator. Frames are counted from 0 in each direction,
 * HELLO included.
 */
final class LossyLink implements Link {
    enum Fault { CUT, FLIP, DROP }

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
