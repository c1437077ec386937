package org.modutils.insmod.kernel.remote;

import java.util.Map;

/** strerror(3) texts for the Linux errno values a module syscall or file access on the target can return. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, EIO = 5, ENOEXEC = 8, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            EINVAL = 22, ENOSPC = 28, ENOSYS = 38;

    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(1, "Operation not permitted"), Map.entry(2, "No such file or directory"),
            Map.entry(3, "No such process"), Map.entry(4, "Interrupted system call"),
            Map.entry(5, "Input/output error"), Map.entry(6, "No such device or address"),
            Map.entry(7, "Argument list too long"), Map.entry(8, "Exec format error"),
            Map.entry(9, "Bad file descriptor"), Map.entry(11, "Resource temporarily unavailable"),
            Map.entry(12, "Cannot allocate memory"), Map.entry(13, "Permission denied"),
            Map.entry(14, "Bad address"), Map.entry(16, "Device or resource busy"),
            Map.entry(17, "File exists"), Map.entry(19, "No such device"),
            Map.entry(20, "Not a directory"), Map.entry(21, "Is a directory"),
            Map.entry(22, "Invalid argument"), Map.entry(23, "Too many open files in system"),
            Map.entry(24, "Too many open files"), Map.entry(25, "Inappropriate ioctl for device"),
            Map.entry(27, "File too large"), Map.entry(28, "No space left on device"),
            Map.entry(30, "Read-only file system"), Map.entry(34, "Numerical result out of range"),
            Map.entry(36, "File name too long"), Map.entry(38, "Function not implemented"),
            Map.entry(110, "Connection timed out"));

    public static String text(int errno) {
        String t = TEXT.get(errno);
        return t != null ? t : "Unknown error " + errno;
    }
}
