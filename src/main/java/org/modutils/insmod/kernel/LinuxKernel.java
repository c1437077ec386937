package org.modutils.insmod.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The running kernel: /proc and /sys files, and the module system calls through {@link Sys}
 * (JNA, created on first use so that paths which never call the kernel never load JNA).
 */
public final class LinuxKernel implements Kernel {
    static final int QM_MODULES = 1;
    static final int QM_SYMBOLS = 4;
    static final int QM_INFO = 5;
    private static final int FIRST_QUERY_BUFFER = 4096;
    private static final int MAX_QUERY_TRIES = 16;

    private final Path root;
    private final SysFactory factory;
    private Sys sys;
    private Boolean legacy;
    private final int firstBuffer;

    /** Creates the {@link Sys} on first use; may fail with a readable reason. */
    @FunctionalInterface
    interface SysFactory {
        Sys create() throws KernelException;
    }

    /** The kernel this process runs on. */
    public LinuxKernel() {
        this(Paths.get("/"), () -> new JnaSys(SyscallTable.forHost()), FIRST_QUERY_BUFFER);
    }

    /** For tests: files under {@code root} instead of "/", a fake {@link Sys}, a small first buffer. */
    LinuxKernel(Path root, SysFactory factory, int firstBuffer) {
        this.root = root;
        this.factory = factory;
        this.firstBuffer = firstBuffer;
    }

    private Sys sys() throws KernelException {
        if (sys == null) sys = factory.create();
        return sys;
    }

    // ---- identity ---------------------------------------------------------------------------

    private String procLine(String path, String fallback) {
        try {
            byte[] b = readFile(path);
            if (b != null) return new String(b, StandardCharsets.UTF_8).trim();
        } catch (KernelException e) {
            // fall through
        }
        return fallback;
    }

    @Override
    public String release() {
        return procLine("/proc/sys/kernel/osrelease", System.getProperty("os.version", ""));
    }

    @Override
    public String version() {
        return procLine("/proc/sys/kernel/version", "");
    }

    @Override
    public String machine() {
        String m = procLine("/proc/sys/kernel/arch", null);
        if (m != null && !m.isEmpty()) return m;
        try {
            return sys().machine();
        } catch (KernelException | ErrnoException e) {
            return System.getProperty("os.arch");
        }
    }

    @Override
    public boolean legacy() {
        if (legacy == null) {
            try {
                sys().queryModule(null, 0, null, new long[1]);
                legacy = true;
            } catch (ErrnoException e) {
                legacy = e.errno() != Errno.ENOSYS; // any other answer means the call exists
            } catch (KernelException e) {
                legacy = false; // no syscall table / no JNA: the calls themselves will say why
            }
        }
        return legacy;
    }

    // ---- files ------------------------------------------------------------------------------

    private Path file(String path) {
        return root.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /**
     * Reads with large read(2) calls: sysctl files such as /proc/sys/kernel/tainted answer only
     * a read at offset 0 (Files.readAllBytes would read 1 byte, then hit a premature EOF).
     */
    @Override
    public byte[] readFile(String path) throws KernelException {
        try (InputStream in = Files.newInputStream(file(path))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
            return out.toByteArray();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new KernelException(path + ": " + e.getMessage());
        }
    }

    @Override
    public int tainted() throws KernelException {
        byte[] b = readFile("/proc/sys/kernel/tainted");
        if (b == null) return -1;
        try {
            return (int) Long.parseLong(new String(b, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new KernelException("/proc/sys/kernel/tainted: not a number");
        }
    }

    @Override
    public void setTainted(int value) throws KernelException {
        try {
            Files.write(file("/proc/sys/kernel/tainted"), (value + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new KernelException("/proc/sys/kernel/tainted: " + e.getMessage());
        }
    }

    // ---- symbols ----------------------------------------------------------------------------

    @Override
    public KernelSymbols symbols() throws KernelException {
        if (legacy()) return querySymbols();
        byte[] ksyms = readFile("/proc/ksyms");
        if (ksyms != null) return KsymsParser.parse(ksyms);
        throw new KernelException(Errno.ENOSYS, "this kernel has neither query_module(2) nor /proc/ksyms"
                + " (it is not a 2.1-2.4 kernel)");
    }

    /** A query_module answer: the buffer and the kernel's ret value. */
    private record Answer(byte[] buf, long ret) {}

    /** query_module, growing the buffer while the kernel says ENOSPC (ret = bytes needed). */
    private Answer query(String name, int which) throws ErrnoException, KernelException {
        byte[] buf = new byte[firstBuffer];
        long[] ret = new long[1];
        for (int i = 0; i < MAX_QUERY_TRIES; i++) {
            try {
                sys().queryModule(name, which, buf, ret);
                return new Answer(buf, ret[0]);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOSPC) throw e;
                long need = ret[0] > buf.length ? ret[0] : 2L * buf.length;
                if (need > Integer.MAX_VALUE - 8) throw e;
                buf = new byte[(int) need];
            }
        }
        throw new KernelException(Errno.ENOSPC, "query_module: the answer kept growing after "
                + MAX_QUERY_TRIES + " tries");
    }

    private KernelSymbols querySymbols() throws KernelException {
        Sys s = sys();
        int w = s.wordSize();
        ByteOrder order = s.byteOrder();
        List<String> names = new ArrayList<>();
        try {
            Answer mods = query(null, QM_MODULES);
            int off = 0;
            for (long i = 0; i < mods.ret(); i++) {
                int end = off;
                while (end < mods.buf().length && mods.buf()[end] != 0) end++;
                names.add(new String(mods.buf(), off, end - off, StandardCharsets.ISO_8859_1));
                off = end + 1;
            }
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "QM_MODULES: " + e.getMessage());
        }
        List<LoadedModule> modules = new ArrayList<>();
        for (String m : names) {
            long addr;
            List<KernelSymbol> syms;
            try {
                Answer info = query(m, QM_INFO);
                addr = word(info.buf(), 0, w, order);
                syms = decodeSymbols(query(m, QM_SYMBOLS), w, order);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENOENT) continue; // unloaded meanwhile, as the original skips it
                throw new KernelException(e.errno(), "query_module " + m + ": " + e.getMessage());
            }
            modules.add(new LoadedModule(m, addr, syms));
        }
        try {
            return new KernelSymbols(modules, decodeSymbols(query(null, QM_SYMBOLS), w, order));
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "QM_SYMBOLS: " + e.getMessage());
        }
    }

    private static long word(byte[] b, int off, int w, ByteOrder order) {
        ByteBuffer bb = ByteBuffer.wrap(b, off, w).order(order);
        return w == 8 ? bb.getLong() : bb.getInt() & 0xffffffffL;
    }

    /** struct module_symbol { unsigned long value; unsigned long name; } x ret; name = offset in buf. */
    private static List<KernelSymbol> decodeSymbols(Answer a, int w, ByteOrder order) throws KernelException {
        List<KernelSymbol> out = new ArrayList<>();
        byte[] b = a.buf();
        for (long i = 0; i < a.ret(); i++) {
            long at = i * 2 * w;
            if (at + 2L * w > b.length) throw new KernelException("QM_SYMBOLS: answer shorter than its count");
            long value = word(b, (int) at, w, order);
            long nameOff = word(b, (int) at + w, w, order);
            if (nameOff >= b.length) throw new KernelException("QM_SYMBOLS: name offset outside the answer");
            int end = (int) nameOff;
            while (end < b.length && b[end] != 0) end++;
            out.add(new KernelSymbol(value, new String(b, (int) nameOff, end - (int) nameOff, StandardCharsets.ISO_8859_1)));
        }
        return out;
    }

    // ---- loaded modules (lsmod, rmmod, ksyms) ---------------------------------------------

    @Override
    public ModuleTable moduleTable(ModuleQuery what) throws KernelException {
        if (!legacy()) {
            throw new KernelException(Errno.ENOSYS, "QM_MODULES: " + Errno.text(Errno.ENOSYS));
        }
        Sys s = sys();
        ModuleTableReader.Query q = (name, which) -> {
            try {
                Answer a = query(name, which);
                return new ModuleTableReader.Answer(a.ret(), a.buf());
            } catch (ErrnoException e) {
                throw new KernelException(e.errno(), e.getMessage());
            }
        };
        return new ModuleTableReader(q, s.wordSize(), s.byteOrder() == ByteOrder.BIG_ENDIAN).read(what);
    }

    @Override
    public byte[] readKernelMemory(long address, int length) throws KernelException {
        if (address < 0) {
            throw new KernelException(Errno.EINVAL, "/dev/kmem: address 0x" + Long.toHexString(address)
                    + " cannot be reached through a file offset");
        }
        try (java.io.RandomAccessFile kmem = new java.io.RandomAccessFile(file("/dev/kmem").toFile(), "r")) {
            kmem.seek(address);
            byte[] b = new byte[length];
            kmem.readFully(b);
            return b;
        } catch (java.io.EOFException e) {
            throw new KernelException(Errno.EIO, "/dev/kmem: short read at 0x" + Long.toHexString(address));
        } catch (IOException e) {
            throw new KernelException("/dev/kmem: " + org.modutils.insmod.sys.IoReasons.of(e));
        }
    }

    // ---- 2.1-2.4 loading ---------------------------------------------------------------------

    @Override
    public long createModule(String name, long size) throws KernelException {
        try {
            return sys().createModule(name, size);
        } catch (ErrnoException e) {
            switch (e.errno()) {
                case Errno.EEXIST:
                    throw new KernelException(e.errno(), "a module named " + name + " already exists");
                case Errno.ENOMEM:
                    throw new KernelException(e.errno(), "can't allocate kernel memory for module; needed "
                            + Long.toUnsignedString(size) + " bytes");
                default:
                    throw new KernelException(e.errno(), "create_module: " + e.getMessage());
            }
        }
    }

    @Override
    public void initModule(String name, byte[] image) throws KernelException {
        try {
            sys().initModuleLegacy(name, image);
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "init_module: " + e.getMessage());
        }
    }

    @Override
    public void deleteModule(String name) throws KernelException {
        deleteModule(name, 0);
    }

    /** delete_module(2) with flags (2.6+: O_NONBLOCK, O_TRUNC to force), as kmod's rmmod calls it. */
    public void deleteModule(String name, int flags) throws KernelException {
        try {
            sys().deleteModule(name, flags);
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "delete_module: " + e.getMessage());
        }
    }

    // ---- 2.6+ loading -----------------------------------------------------------------------

    @Override
    public void finitModule(String path, String params, int flags) throws KernelException {
        Sys s = sys();
        int fd;
        try {
            // The byte name itself on the real root: no Path, which a name that is no text in the
            // locale cannot have.
            fd = s.open(root.toString().equals("/") && path.startsWith("/") ? path : file(path).toString());
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), path + ": " + e.getMessage());
        }
        finit(s, fd, null, params, flags);
    }

    @Override
    public void finitModuleImage(String name, byte[] image, String params, int flags) throws KernelException {
        Sys s = sys();
        int fd;
        try {
            fd = s.memfdCreate(name);
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "memfd_create: " + e.getMessage());
        }
        finit(s, fd, image, params, flags);
    }

    /** finit_module on {@code fd} (after writing {@code image} to it, unless null), then close it. */
    private static void finit(Sys s, int fd, byte[] image, String params, int flags) throws KernelException {
        try {
            if (image != null) {
                s.writeAll(fd, image);
            }
            s.finitModule(fd, params, flags);
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "finit_module: " + e.getMessage());
        } finally {
            s.close(fd);
        }
    }

    @Override
    public void initModuleImage(byte[] image, String params) throws KernelException {
        try {
            sys().initModule(image, params);
        } catch (ErrnoException e) {
            throw new KernelException(e.errno(), "init_module: " + e.getMessage());
        }
    }
}
