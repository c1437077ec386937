package org.modutils.insmod.kernel.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A link over plain streams (a serial device opened as a file, a child process's pipes). Streams
 * have no read timeout, so a daemon thread pumps the input into a buffer that {@link #read} waits on.
 */
public class StreamLink extends OutputLink {
    private final InputStream in;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private byte[] buf = new byte[64 * 1024];
    private int start, end;
    private boolean eof;
    private IOException failure;
    private volatile boolean closed;

    public StreamLink(InputStream in, OutputStream out, String description, Runnable onClose) {
        super(out, description);
        this.in = in;
        this.onClose = onClose;
        Thread t = new Thread(this::pump, "insmod-link-reader");
        t.setDaemon(true);
        t.start();
    }

    private void pump() {
        byte[] chunk = new byte[8192];
        try {
            for (;;) {
                int n = in.read(chunk);
                lock.lock();
                try {
                    if (n < 0) {
                        eof = true;
                        arrived.signalAll();
                        return;
                    }
                    if (end + n > buf.length) {
                        int live = end - start;
                        byte[] nb = live + n > buf.length ? new byte[Math.max(buf.length * 2, live + n)] : buf;
                        System.arraycopy(buf, start, nb, 0, live);
                        buf = nb;
                        start = 0;
                        end = live;
                    }
                    System.arraycopy(chunk, 0, buf, end, n);
                    end += n;
                    arrived.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            lock.lock();
            try {
                if (!closed)
                    failure = e;
                eof = true;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public int read(byte[] b, int off, int len, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (start == end) {
                if (failure != null)
                    throw failure;
                if (eof)
                    return -1;
                long left = deadline - System.nanoTime();
                if (left <= 0)
                    return 0;
                try {
                    arrived.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
            int n = Math.min(len, end - start);
            System.arraycopy(buf, start, b, off, n);
            start += n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void drain() {
        lock.lock();
        try {
            start = end = 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // closing
        }
        if (onClose != null)
            onClose.run();
    }
}
