package org.modutils.insmod.kernel.remote;

/** Numbers of the agent protocol (agent/PROTOCOL.md is the description; agent/agent.c the other side). */
public final class Protocol {
    private Protocol() {}

    /** 2: a repeated state-changing request is answered again, not done again (1 is still spoken). */
    public static final int VERSION = 2;
    public static final int HEADER = 8;
    public static final int TRAILER = 4;
    /** The largest payload either side accepts; the agent announces its own value in HELLO. */
    public static final int MAX_PAYLOAD = 16384 + 1024;
    /**
     * Bytes staged per acknowledged frame. A 2.4 serial driver moves received bytes through a
     * 512-byte flip buffer; when it fills while the agent is reading, the driver leaves the rest
     * in the UART and (with an edge-triggered interrupt) hears of it again only at its 10 s
     * strobe, so the line stalls mid-frame. A frame of 448 bytes plus 20 of header and checksum
     * never fills it: with one frame in flight the stall cannot happen. 2 KB frames stalled now
     * and then on a slow TCG host, 16 KB ones on most loads.
     */
    public static final int CHUNK = 448;

    public static final int HELLO = 0x01;
    public static final int UNAME = 0x02;
    public static final int READ_FILE = 0x03;
    public static final int STAGE = 0x04;
    public static final int WRITE_FILE = 0x05;
    public static final int QUERY_MODULE = 0x06;
    public static final int CREATE_MODULE = 0x07;
    public static final int INIT_MODULE = 0x08;
    public static final int DELETE_MODULE = 0x09;
    public static final int STAT = 0x0A;
    public static final int TIME = 0x0B;
    public static final int KLOG = 0x0C;
    /** Reads a byte range of a file at a 64-bit offset (rmmod's persistent data from /dev/kmem). */
    public static final int READ_AT = 0x0D;

    public static final int OK = 0x80;
    public static final int ERR = 0x81;
    public static final int DATA = 0x82;

    public static final int E_UNKNOWN_REQUEST = 1;
    public static final int E_BAD_FRAME = 2;
    public static final int E_BAD_REQUEST = 3;
    public static final int E_TOO_LARGE = 4;
    public static final int E_SYSCALL = 5;
    public static final int E_STATE = 6;

    /** query_module(2) "which" values. */
    public static final int QM_MODULES = 1;
    public static final int QM_DEPS = 2;
    public static final int QM_REFS = 3;
    public static final int QM_SYMBOLS = 4;
    public static final int QM_INFO = 5;

    /** WRITE_FILE flags. */
    public static final int WRITE_APPEND = 1;
}
