package org.modutils.insmod.kernel;

/**
 * Error numbers and their C-library texts for the architectures insmod has syscall numbers
 * for (x86_64, i386, arm, aarch64 all use the asm-generic numbering). Kept in Java so that a
 * message never depends on loading the native layer.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EBADMSG = 74;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOKEY = 126;
    public static final int EKEYREJECTED = 129;

    private Errno() {}

    /** What strerror(3) says for {@code errno} in the GNU C library. */
    public static String text(int errno) {
        switch (errno) {
            case 1: return "Operation not permitted";
            case 2: return "No such file or directory";
            case 3: return "No such process";
            case 4: return "Interrupted system call";
            case 5: return "Input/output error";
            case 6: return "No such device or address";
            case 7: return "Argument list too long";
            case 8: return "Exec format error";
            case 9: return "Bad file descriptor";
            case 11: return "Resource temporarily unavailable";
            case 12: return "Cannot allocate memory";
            case 13: return "Permission denied";
            case 14: return "Bad address";
            case 16: return "Device or resource busy";
            case 17: return "File exists";
            case 19: return "No such device";
            case 21: return "Is a directory";
            case 22: return "Invalid argument";
            case 27: return "File too large";
            case 28: return "No space left on device";
            case 38: return "Function not implemented";
            case 61: return "No data available";
            case 74: return "Bad message";
            case 95: return "Operation not supported";
            case 110: return "Connection timed out";
            case 126: return "Required key not available";
            case 127: return "Key has expired";
            case 128: return "Key has been revoked";
            case 129: return "Key was rejected by service";
            default: return "Unknown error " + errno;
        }
    }
}
