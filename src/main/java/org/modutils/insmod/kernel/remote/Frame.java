package org.modutils.insmod.kernel.remote;

import java.util.zip.CRC32;

/** One protocol frame: "KM", type, sequence number, payload length (LE), payload, CRC-32 (LE) of all before it. */
public record Frame(int type, int seq, byte[] payload) {

    public Frame {
        if (type < 0 || type > 0xff || seq < 0 || seq > 0xff)
            throw new IllegalArgumentException("type and seq are bytes");
        if (payload.length > Protocol.MAX_PAYLOAD)
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + Protocol.MAX_PAYLOAD);
    }

    public byte[] encode() {
        byte[] out = new byte[Protocol.HEADER + payload.length + Protocol.TRAILER];
        out[0] = 'K';
        out[1] = 'M';
        out[2] = (byte) type;
        out[3] = (byte) seq;
        Bytes.putInt(out, 4, payload.length);
        System.arraycopy(payload, 0, out, Protocol.HEADER, payload.length);
        Bytes.putInt(out, Protocol.HEADER + payload.length, crc(out, 0, Protocol.HEADER + payload.length));
        return out;
    }

    static int crc(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
