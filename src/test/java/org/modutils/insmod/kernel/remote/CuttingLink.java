package org.modutils.insmod.kernel.remote;

import java.io.IOException;

/** Fault injection: a link that breaks for good once more than {@code budget} bytes were written. */
final class CuttingLink implements Link {
    private final Link inner;
    private long budget;
    private boolean cut;

    CuttingLink(Link inner, long budget) {
        this.inner = inner;
        this.budget = budget;
    }

    @Override
    public void write(byte[] b) throws IOException {
        if (cut || b.length > budget) {
            if (!cut && budget > 0) {
                byte[] part = new byte[(int) budget];
                System.arraycopy(b, 0, part, 0, part.length);
                inner.write(part);                          // half a frame reaches the agent
            }
            cut = true;
            inner.close();
            throw new IOException("link cut (fault injection)");
        }
        budget -= b.length;
        inner.write(b);
    }

    @Override
    public int read(byte[] b, int off, int len, long timeoutMillis) throws IOException {
        if (cut)
            throw new IOException("link cut (fault injection)");
        return inner.read(b, off, len, timeoutMillis);
    }

    @Override
    public void drain() throws IOException {
        inner.drain();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }
}
