package org.modutils.insmod.kernel;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@link Sys} through the C library's syscall(2), called with JNA. This is the only class that
 * touches JNA, and it is created only when a real kernel call is about to be made.
 */
final class JnaSys implements Sys {
    private static final int UTS_FIELD = 65; // Linux struct utsname: 6 fields of 65 bytes
    private final SyscallTable table;
    private final NativeLibrary libc;
    private final Function syscall;

    JnaSys(SyscallTable table) throws KernelException {
        this.table = table;
        try {
            libc = NativeLibrary.getInstance("c");
            syscall = libc.getFunction("syscall", Function.THROW_LAST_ERROR);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new KernelException("cannot load the native C library through JNA: " + e.getMessage());
        }
    }

    @Override
    public int wordSize() {
        return Native.LONG_SIZE;
    }

    @Override
    public ByteOrder byteOrder() {
        return ByteOrder.nativeOrder();
    }

    private long call(int nr, Object... args) throws ErrnoException {
        if (nr < 0) throw new ErrnoException(Errno.ENOSYS);
        Object[] a = new Object[args.length + 1];
        a[0] = new NativeLong(nr);
        System.arraycopy(args, 0, a, 1, args.length);
        try {
            return ((NativeLong) syscall.invoke(NativeLong.class, a)).longValue();
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode());
        }
    }

    /** A C string of a byte string (names, paths and parameters hold one char per byte). */
    private static Memory cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }

    private static Memory copy(byte[] data) {
        Memory m = new Memory(Math.max(1, data.length));
        m.write(0, data, 0, data.length);
        return m;
    }

    private static NativeLong nl(long v) {
        return new NativeLong(v);
    }

    @Override
    public String machine() throws ErrnoException {
        Memory buf = new Memory(6L * UTS_FIELD);
        buf.clear();
        try {
            libc.getFunction("uname", Function.THROW_LAST_ERROR).invokeInt(new Object[] {buf});
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode());
        }
        return buf.getString(4L * UTS_FIELD, "UTF-8");
    }

    @Override
    public long createModule(String name, long size) throws ErrnoException {
        long addr = call(table.createModule(), cString(name), nl(size));
        return wordSize() == 4 ? addr & 0xffffffffL : addr;
    }

    @Override
    public void initModuleLegacy(String name, byte[] image) throws ErrnoException {
        call(table.initModule(), cString(name), copy(image));
    }

    @Override
    public void deleteModule(String name, int flags) throws ErrnoException {
        call(table.deleteModule(), name == null ? null : cString(name), nl(flags));
    }

    @Override
    public void queryModule(String name, int which, byte[] buf, long[] ret) throws ErrnoException {
        Memory mem = buf == null || buf.length == 0 ? null : new Memory(buf.length);
        Memory r = new Memory(Native.SIZE_T_SIZE);
        r.clear();
        try {
            call(table.queryModule(), name == null ? null : cString(name), nl(which), mem,
                    nl(buf == null ? 0 : buf.length), r);
        } finally {
            ret[0] = Native.SIZE_T_SIZE == 8 ? r.getLong(0) : r.getInt(0) & 0xffffffffL;
            if (mem != null) mem.read(0, buf, 0, buf.length);
        }
    }

    @Override
    public void initModule(byte[] image, String params) throws ErrnoException {
        call(table.initModule(), copy(image), nl(image.length), cString(params));
    }

    @Override
    public void finitModule(int fd, String params, int flags) throws ErrnoException {
        call(table.finitModule(), nl(fd), cString(params), nl(flags));
    }

    @Override
    public int open(String path) throws ErrnoException {
        try {
            return libc.getFunction("open", Function.THROW_LAST_ERROR).invokeInt(new Object[] {cString(path), 0});
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode());
        }
    }

    @Override
    public int memfdCreate(String name) throws ErrnoException {
        return (int) call(table.memfdCreate(), cString(name), nl(1) /* MFD_CLOEXEC */);
    }

    @Override
    public void writeAll(int fd, byte[] data) throws ErrnoException {
        Function write = libc.getFunction("write", Function.THROW_LAST_ERROR);
        Memory m = copy(data);
        long off = 0;
        while (off < data.length) {
            long n;
            try {
                n = ((NativeLong) write.invoke(NativeLong.class,
                        new Object[] {fd, m.share(off), nl(data.length - off)})).longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() == 4) continue; // EINTR
                throw new ErrnoException(e.getErrorCode());
            }
            if (n <= 0) throw new ErrnoException(Errno.EIO);
            off += n;
        }
    }

    @Override
    public void close(int fd) {
        try {
            libc.getFunction("close").invokeInt(new Object[] {fd});
        } catch (LastErrorException e) {
            // nothing useful to do: the descriptor is gone either way
        }
    }
}
