package org.modutils.insmod.kernel.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.ModuleTableReader;
import org.modutils.insmod.kernel.ModuleTable;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.kernel.LoadedModule;

/**
 * A 2.x kernel on another machine, driven through the insmod agent (agent/) over TCP or a serial
 * line. Every kernel-facing step of a load goes through here; the linker relocates at the address
 * {@link #createModule} returns, exactly as for the local kernel.
 *
 * <p>Target specs: {@code tcp:HOST:PORT}, or a serial device path with an optional speed,
 * {@code /dev/ttyS0} or {@code /dev/ttyUSB0,115200}.
 *
 * <p>Half-created modules: the agent deletes a module it created but did not initialise once the
 * link is idle for {@link Options#idleSeconds} seconds or closes; {@link #close()} and a failed
 * link also try to delete them from this side (reconnecting once if needed).
 */
public final class RemoteKernel implements Kernel, AutoCloseable {

    /** Timeouts: per answer frame, for init_module (a module's init may probe hardware), and the agent's idle limit (0: keep the agent's own, set by agent_idle= or 30 s). */
    public record Options(long timeoutMillis, long initTimeoutMillis, int idleSeconds) {
        public static Options defaults() {
            return new Options(15_000, 120_000, 0);
        }
    }

    /** Opens a fresh link to the same place; used to reconnect for cleanup after a link failure. */
    @FunctionalInterface
    public interface LinkOpener {
        Link open() throws IOException;
    }

    private static final int NEW_MOD_DELETED_ENOENT = Errno.ENOENT;

    private final String spec;
    private final LinkOpener opener;
    private final Options options;
    private AgentClient client;
    private final String sysname, nodename, release, version, machine;
    private final Map<String, Long> created = new LinkedHashMap<>();
    private Thread interruptCleanup;

    private RemoteKernel(String spec, LinkOpener opener, Options options, AgentClient client) throws KernelException {
        this.spec = spec;
        this.opener = opener;
        this.options = options;
        this.client = client;
        AgentClient.Reply u = client.call(Protocol.UNAME, new byte[0], "uname");
        String[] f = Bytes.cstrings(u.result(), 0, 5);
        this.sysname = f[0];
        this.nodename = f[1];
        this.release = f[2];
        this.version = f[3];
        this.machine = f[4];
    }

    /** Opens {@code tcp:HOST:PORT} or {@code DEVICE[,SPEED]} with default timeouts. */
    public static RemoteKernel open(String spec) throws KernelException {
        return open(spec, Options.defaults());
    }

    public static RemoteKernel open(String spec, Options options) throws KernelException {
        return over(spec, opener(spec), options);
    }

    /** Uses links from {@code opener} (tests hand in a process's pipes). */
    public static RemoteKernel over(String spec, LinkOpener opener, Options options) throws KernelException {
        Link link;
        try {
            link = opener.open();
        } catch (IOException e) {
            throw new LinkException("cannot reach the target " + spec + ": " + e.getMessage());
        }
        AgentClient c = AgentClient.connect(link, options.idleSeconds(), options.timeoutMillis());
        try {
            return new RemoteKernel(spec, opener, options, c);
        } catch (KernelException e) {
            c.close();
            throw e;
        }
    }

    /** Turns a target spec into a way to open links; rejects malformed specs with a readable message. */
    public static LinkOpener opener(String spec) throws KernelException {
        if (spec.startsWith("tcp:")) {
            String rest = spec.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon <= 0 || colon == rest.length() - 1)
                throw new KernelException("bad target " + spec + ": want tcp:HOST:PORT");
            String host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]"))
                host = host.substring(1, host.length() - 1);
            int port;
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port <= 0 || port > 65535)
                throw new KernelException("bad target " + spec + ": the port must be 1-65535");
            String h = host;
            int p = port;
            return () -> TcpLink.connect(h, p, 10_000);
        }
        if (spec.startsWith("/")) {
            String dev = spec;
            int speed = 115200;
            int comma = spec.indexOf(',');
            if (comma >= 0) {
                dev = spec.substring(0, comma);
                try {
                    speed = Integer.parseInt(spec.substring(comma + 1));
                } catch (NumberFormatException e) {
                    speed = -1;
                }
                if (speed <= 0)
                    throw new KernelException("bad target " + spec + ": want DEVICE[,SPEED], e.g. /dev/ttyS0,115200");
            }
            String d = dev;
            int s = speed;
            return () -> SerialLink.open(d, s);
        }
        throw new KernelException("bad target " + spec + ": want tcp:HOST:PORT or a serial device such as /dev/ttyS0,115200");
    }

    // ---- Kernel ----

    @Override
    public String release() {
        return release;
    }

    @Override
    public String version() {
        return version;
    }

    /** uname -s and -m of the target. */
    public String sysname() {
        return sysname;
    }

    public String machine() {
        return machine;
    }

    /** uname -n of the target. */
    public String nodename() {
        return nodename;
    }

    /** The agent's architecture name ("i386", ...), word size and byte order. */
    public AgentClient.Hello agent() {
        return client.hello();
    }

    public String spec() {
        return spec;
    }

    @Override
    public boolean legacy() {
        return client.hello().legacy();
    }

    @Override
    public KernelSymbols symbols() throws KernelException {
        if (legacy()) {
            try {
                return fromQueryModule();
            } catch (KernelException e) {
                if (e.errno() != Errno.ENOSYS)
                    throw e;
            }
        }
        byte[] ksyms = readFile("/proc/ksyms");
        if (ksyms == null)
            throw new KernelException(Errno.ENOENT, "the target has neither query_module nor /proc/ksyms");
        return KsymsParser.parse(ksyms);
    }

    private KernelSymbols fromQueryModule() throws KernelException {
        Query names = query(null, Protocol.QM_MODULES);
        String[] list = Bytes.cstrings(names.data, 0, (int) names.ret);
        List<LoadedModule> modules = new ArrayList<>();
        int w = client.hello().wordSize();
        for (String name : list) {
            Query info;
            Query syms;
            try {
                info = query(name, Protocol.QM_INFO);
                syms = query(name, Protocol.QM_SYMBOLS);
            } catch (KernelException e) {
                if (e.errno() == NEW_MOD_DELETED_ENOENT)
                    continue;                               // unloaded while we looked: modutils skips it too
                throw e;
            }
            if (info.data.length < w)
                throw new KernelException("short QM_INFO answer for " + name);
            modules.add(new LoadedModule(name, word(info.data, 0), symbolTable(syms)));
        }
        List<KernelSymbol> kernel = symbolTable(query(null, Protocol.QM_SYMBOLS));
        return new KernelSymbols(List.copyOf(modules), kernel);
    }

    private record Query(long ret, byte[] data) {}

    /** query_module(2) on the target, growing the buffer as ENOSPC asks (the kernel reports the size it needs). */
    private Query query(String name, int which) throws KernelException {
        long size = which == Protocol.QM_INFO ? 4L * client.hello().wordSize() : 0;
        for (int attempt = 0; attempt < 16; attempt++) {
            Bytes.Builder b = Bytes.builder().u32(which).u32(size);
            if (name == null)
                b.u8(0);
            else
                b.u8(1).cstring(name);
            AgentClient.Reply r = client.call(Protocol.QUERY_MODULE, b.build(), "query_module");
            if (r.result().length < 8)
                throw new KernelException("short query_module answer from the agent");
            int result = Bytes.getInt(r.result(), 0);
            long ret = Bytes.getUInt(r.result(), 4);
            if (result == 0)
                return new Query(ret, r.data());
            if (result == -Errno.ENOSPC && ret > size) {
                if (ret > client.hello().bulkMax())
                    throw new KernelException(Errno.ENOSPC, "query_module needs " + ret
                            + " bytes, more than the agent's buffer of " + client.hello().bulkMax());
                size = ret;
                continue;
            }
            throw new KernelException(-result, Errno.text(-result));
        }
        throw new KernelException(Errno.ENOSPC, "query_module kept growing (modules loading meanwhile?)");
    }

    private List<KernelSymbol> symbolTable(Query q) throws KernelException {
        int w = client.hello().wordSize();
        List<KernelSymbol> out = new ArrayList<>((int) q.ret);
        for (long i = 0; i < q.ret; i++) {
            int at = (int) (i * 2 * w);
            if (at + 2 * w > q.data.length)
                throw new KernelException("query_module symbol table from the agent is truncated");
            long value = word(q.data, at);
            long off = word(q.data, at + w);
            if (off < 0 || off >= q.data.length)
                throw new KernelException("query_module symbol name outside the buffer");
            out.add(new KernelSymbol(value, Bytes.cstrings(q.data, (int) off, 1)[0]));
        }
        return List.copyOf(out);
    }

    private long word(byte[] b, int off) {
        AgentClient.Hello h = client.hello();
        long v = 0;
        for (int i = 0; i < h.wordSize(); i++) {
            int idx = h.bigEndian() ? off + i : off + h.wordSize() - 1 - i;
            v = (v << 8) | (b[idx] & 0xff);
        }
        return v;
    }

    @Override
    public ModuleTable moduleTable(ModuleQuery what) throws KernelException {
        if (!legacy())
            throw new KernelException(Errno.ENOSYS, "QM_MODULES: " + Errno.text(Errno.ENOSYS));
        ModuleTableReader.Query q = (name, which) -> {
            Query a = query(name, which);
            return new ModuleTableReader.Answer(a.ret, a.data);
        };
        return new ModuleTableReader(q, client.hello().wordSize(), client.hello().bigEndian()).read(what);
    }

    /** Kernel memory through the agent's READ_AT on /dev/kmem (protocol request 0x0D). */
    @Override
    public byte[] readKernelMemory(long address, int length) throws KernelException {
        byte[] b = readAt("/dev/kmem", address, length);
        if (b.length != length)
            throw new KernelException(Errno.EIO, "/dev/kmem: short read at 0x" + Long.toHexString(address));
        return b;
    }

    /** Up to {@code length} bytes of the target's file {@code path} at {@code offset} (READ_AT). */
    public byte[] readAt(String path, long offset, int length) throws KernelException {
        if (length < 0 || length > client.hello().bulkMax())
            throw new KernelException(Errno.EINVAL, path + ": " + length + " bytes exceed the agent's buffer of "
                    + client.hello().bulkMax());
        try {
            return client.call(Protocol.READ_AT, Bytes.builder().u32(offset & 0xffffffffL).u32(offset >>> 32)
                    .u32(length).cstring(path).build(), "reading " + path).data();
        } catch (KernelException e) {
            if (e instanceof LinkException)
                throw e;
            throw new KernelException(e.errno(), path + ": " + e.getMessage());
        }
    }

    @Override
    public long createModule(String name, long size) throws KernelException {
        if (size < 0 || size > 0xffffffffL)
            throw new KernelException(Errno.EINVAL, Errno.text(Errno.EINVAL));
        AgentClient.Reply r = client.call(Protocol.CREATE_MODULE,
                Bytes.builder().u32(size).cstring(name).build(), "create_module(" + name + ")");
        if (r.result().length < 8)
            throw new KernelException("short create_module answer from the agent");
        long addr = Bytes.getUInt(r.result(), 0) | (Bytes.getUInt(r.result(), 4) << 32);
        created.put(name, addr);
        guard();
        return addr;
    }

    @Override
    public void initModule(String name, byte[] image) throws KernelException {
        try {
            stage(image, "init_module(" + name + ")");
            client.call(Protocol.INIT_MODULE, Bytes.builder().cstring(name).build(), options.initTimeoutMillis(),
                    "init_module(" + name + ")");
            created.remove(name);
            guard();
        } catch (LinkException e) {
            throw halfCreated(name, e);
        }
    }

    private LinkException halfCreated(String name, LinkException e) {
        Long addr = created.get(name);
        if (addr == null)
            return e;
        return new LinkException(e.getMessage() + "; module " + name + " (created at 0x" + Long.toHexString(addr)
                + ") may be left uninitialised: the agent deletes it after " + client.hello().idleSeconds()
                + " s without contact");
    }

    /** Sends bytes to the agent's staging buffer in acknowledged chunks. */
    private void stage(byte[] data, String what) throws KernelException {
        if (data.length > client.hello().stageMax())
            throw new KernelException(what + ": " + data.length + " bytes exceed the agent's buffer of "
                    + client.hello().stageMax());
        int chunk = Math.min(Protocol.CHUNK, client.hello().maxPayload() - 8);
        int off = 0;
        do {
            int n = Math.min(chunk, data.length - off);
            client.call(Protocol.STAGE, Bytes.builder().u32(off).u32(data.length).bytes(data, off, n).build(), what);
            off += n;
        } while (off < data.length);
    }

    @Override
    public void deleteModule(String name) throws KernelException {
        byte[] payload = name == null ? Bytes.builder().u8(0).build() : Bytes.builder().u8(1).cstring(name).build();
        String what = "delete_module(" + (name == null ? "" : name) + ")";
        try {
            client.call(Protocol.DELETE_MODULE, payload, what);
        } catch (LinkException e) {
            if (!reconnect())
                throw e;
            client.call(Protocol.DELETE_MODULE, payload, what);
        }
        if (name != null)
            created.remove(name);
        guard();
    }

    /** After a link failure: one fresh link and greeting, so cleanup can still reach the agent. */
    private boolean reconnect() {
        try {
            Link link = opener.open();
            AgentClient c = AgentClient.connect(link, options.idleSeconds(), options.timeoutMillis());
            client.close();
            client = c;
            return true;
        } catch (IOException | KernelException e) {
            return false;
        }
    }

    @Override
    public byte[] readFile(String path) throws KernelException {
        try {
            return client.call(Protocol.READ_FILE, Bytes.builder().cstring(path).build(), "reading " + path).data();
        } catch (KernelException e) {
            if (e.errno() == Errno.ENOENT)
                return null;
            if (e instanceof LinkException)
                throw e;
            throw new KernelException(e.errno(), path + ": " + e.getMessage());
        }
    }

    /** Creates or truncates {@code path} on the target, writes {@code data} and fdatasyncs it (ksymoops snapshots). */
    public void writeFile(String path, byte[] data) throws KernelException {
        write(path, data, 0);
    }

    /** Appends to {@code path} on the target (the ksymoops daily log). */
    public void appendFile(String path, byte[] data) throws KernelException {
        write(path, data, Protocol.WRITE_APPEND);
    }

    private void write(String path, byte[] data, int flags) throws KernelException {
        String what = "writing " + path;
        stage(data, what);
        try {
            client.call(Protocol.WRITE_FILE, Bytes.builder().u32(flags).u32(0644).cstring(path).build(), what);
        } catch (KernelException e) {
            if (e instanceof LinkException)
                throw e;
            throw new KernelException(e.errno(), "cannot create " + path + " " + e.getMessage());
        }
    }

    /** True when {@code path} is a directory on the target (insmod snapshots only into an existing /var/log/ksymoops). */
    public boolean isDirectory(String path) throws KernelException {
        AgentClient.Reply r = client.call(Protocol.STAT, Bytes.builder().cstring(path).build(), "looking at " + path);
        return r.result().length >= 4 && Bytes.getInt(r.result(), 0) == 1;
    }

    /** The target's clock, seconds since the epoch (snapshot file names use the target's time). */
    public long time() throws KernelException {
        AgentClient.Reply r = client.call(Protocol.TIME, new byte[0], "time");
        return Bytes.getUInt(r.result(), 0) | (Bytes.getUInt(r.result(), 4) << 32);
    }

    /** The kernel's message buffer (dmesg). */
    public byte[] kernelLog() throws KernelException {
        return client.call(Protocol.KLOG, new byte[0], "reading the kernel log").data();
    }

    @Override
    public int tainted() throws KernelException {
        byte[] b = readFile("/proc/sys/kernel/tainted");
        if (b == null)
            return -1;
        try {
            return Integer.parseInt(new String(b, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new KernelException("unreadable /proc/sys/kernel/tainted on the target");
        }
    }

    @Override
    public void setTainted(int value) throws KernelException {
        writeFile("/proc/sys/kernel/tainted", (value + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Modules this session created and has neither initialised nor deleted. */
    public Map<String, Long> halfCreated() {
        return Map.copyOf(created);
    }

    /**
     * While a module is created but not initialised, a JVM shutdown hook (Ctrl-C, SIGTERM) drops
     * the busy link, reconnects and deletes it, so an interrupted insmod leaves nothing behind.
     */
    private synchronized void guard() {
        if (!created.isEmpty() && interruptCleanup == null) {
            interruptCleanup = new Thread(this::cleanupOnInterrupt, "insmod-remote-cleanup");
            try {
                org.modutils.insmod.sys.ExitHooks.add(interruptCleanup); // a normal exit runs it too
            } catch (IllegalStateException e) {
                interruptCleanup = null;                    // already shutting down
            }
        } else if (created.isEmpty() && interruptCleanup != null) {
            try {
                org.modutils.insmod.sys.ExitHooks.remove(interruptCleanup);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs and finds nothing to do
            }
            interruptCleanup = null;
        }
    }

    private void cleanupOnInterrupt() {
        Map<String, Long> left;
        synchronized (this) {
            left = Map.copyOf(created);
        }
        if (left.isEmpty())
            return;
        client.close();                                     // the main thread may be mid-frame on it
        try (AgentClient c = AgentClient.connect(opener.open(), 0, 3_000)) {
            for (String name : left.keySet()) {
                try {
                    c.call(Protocol.DELETE_MODULE, Bytes.builder().u8(1).cstring(name).build(), 3_000,
                            "delete_module(" + name + ")");
                    System.err.println("insmod: " + spec + ": interrupted: deleted the half-created module " + name);
                } catch (KernelException e) {
                    System.err.println("insmod: " + spec + ": interrupted: could not delete module " + name + ": "
                            + e.getMessage());
                }
            }
        } catch (IOException | KernelException e) {
            System.err.println("insmod: " + spec + ": interrupted: cannot reach the agent to delete "
                    + String.join(", ", left.keySet()) + " (it deletes them itself after its idle limit)");
        }
    }

    /** Deletes half-created modules (best effort) and closes the link. */
    @Override
    public void close() {
        for (String name : List.copyOf(created.keySet())) {
            try {
                deleteModule(name);
            } catch (KernelException e) {
                // the agent's idle timer is the fallback; nothing more to do here
            }
        }
        synchronized (this) {
            created.clear();
        }
        guard();
        client.close();
    }
}
