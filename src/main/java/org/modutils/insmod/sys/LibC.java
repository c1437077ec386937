package org.modutils.insmod.sys;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * The few C library calls this package needs, bound through JNA. Only referenced from the
 * methods that need it, so the JVM loads JNA (and libc) the first time a lock, a syslog
 * message or a native socket is actually used, never at start-up.
 */
interface LibC extends Library {
    int O_RDONLY = 0;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;
    int EINTR = 4;
    int AF_UNIX = 1;
    /** MIPS swaps the numbers of SOCK_STREAM and SOCK_DGRAM. */
    int SOCK_STREAM = Platform.isMIPS() ? 2 : 1;
    int SOCK_DGRAM = Platform.isMIPS() ? 1 : 2;
    /** EWOULDBLOCK == EAGAIN: 11 on every Linux ABI except alpha (35). */
    int EWOULDBLOCK = "alpha".equals(Platform.ARCH) ? 35 : 11;

    int open(String path, int flags, int mode);

    /** open(2) of a NUL-terminated byte path (a name that is no text in the locale). */
    int open(byte[] path, int flags, int mode);

    NativeLong readlink(String path, byte[] buf, NativeLong size);

    int close(int fd);

    int flock(int fd, int operation);

    int socket(int domain, int type, int protocol);

    int connect(int fd, byte[] sockaddr, int len);

    int bind(int fd, byte[] sockaddr, int len);

    NativeLong send(int fd, byte[] buf, NativeLong len, int flags);

    NativeLong recv(int fd, byte[] buf, NativeLong len, int flags);

    String strerror(int errnum);

    /** Lazy holder: the library is bound on first use of {@link #get()}. */
    final class Holder {
        private Holder() {}
        static final LibC INSTANCE = Native.load("c", LibC.class);
    }

    static LibC get() {
        return Holder.INSTANCE;
    }

    /** errno of the last call on this thread. */
    static int errno() {
        return Native.getLastError();
    }

    /** strerror(errno) text, e.g. "Permission denied". */
    static String describe(int errno) {
        String s = get().strerror(errno);
        return s == null ? "errno " + errno : s;
    }

    /** A struct sockaddr_un for {@code path}: sun_family in host order, then the NUL-terminated path. */
    static byte[] sockaddrUn(String path) {
        byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (p.length > 107) {
            throw new IllegalArgumentException("socket path too long (max 107 bytes): " + path);
        }
        byte[] a = new byte[2 + p.length + 1];
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            a[0] = (byte) AF_UNIX;
        } else {
            a[1] = (byte) AF_UNIX;
        }
        System.arraycopy(p, 0, a, 2, p.length);
        return a;
    }
}
