package org.modutils.insmod.modern.check;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A module image read as unsigned words in one byte order: what the ELF checks share. */
abstract class ImageWords {
    protected final byte[] d;
    protected final ByteOrder order;

    ImageWords(byte[] d, ByteOrder order) {
        this.d = d;
        this.order = order;
    }

    protected final int u16(long at) {
        return ByteBuffer.wrap(d, (int) at, 2).order(order).getShort() & 0xffff;
    }

    protected final long u32(long at) {
        return ByteBuffer.wrap(d, (int) at, 4).order(order).getInt() & 0xffffffffL;
    }

    protected final long u64(long at) {
        return ByteBuffer.wrap(d, (int) at, 8).order(order).getLong();
    }
}
