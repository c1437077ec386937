package org.modutils.insmod.kernel.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** The agent (or a serial port that qemu or a terminal server exposes) at HOST:PORT. */
public final class TcpLink extends OutputLink {
    private final Socket socket;
    private final InputStream in;

    private TcpLink(Socket socket, String description) throws IOException {
        super(socket.getOutputStream(), description);
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    public static TcpLink connect(String host, int port, int connectTimeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return new TcpLink(s, "tcp:" + host + ":" + port);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len, long timeoutMillis) throws IOException {
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)));
        try {
            return in.read(b, off, len);
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    @Override
    public void drain() throws IOException {
        byte[] junk = new byte[4096];
        while (in.available() > 0 && in.read(junk, 0, Math.min(junk.length, in.available())) > 0) {
            // discard
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to report
        }
    }
}
