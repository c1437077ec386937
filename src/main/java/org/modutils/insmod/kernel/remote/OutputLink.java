package org.modutils.insmod.kernel.remote;

import java.io.IOException;
import java.io.OutputStream;

/** What every link shares: writes go to one stream, flushed at once; its name as the user gave it. */
abstract class OutputLink implements Link {
    protected final OutputStream out;
    private final String description;

    OutputLink(OutputStream out, String description) {
        this.out = out;
        this.description = description;
    }

    @Override
    public final void write(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    @Override
    public final String describe() {
        return description;
    }
}
