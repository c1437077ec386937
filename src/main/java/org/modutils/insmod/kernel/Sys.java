package org.modutils.insmod.kernel;

import java.nio.ByteOrder;

/**
 * The raw system calls {@link LinuxKernel} needs, one method each, so the logic around them
 * (retries, buffer decoding, fallbacks) can be tested without a kernel. Failures throw
 * {@link ErrnoException}; a call the host architecture never had throws ENOSYS.
 */
public interface Sys {
    /** sizeof(long) of this process (the unit of query_module's buffers). */
    int wordSize();

    ByteOrder byteOrder();

    /** uname(2) machine field. */
    String machine() throws ErrnoException;

    long createModule(String name, long size) throws ErrnoException;

    /** The 2.1-2.4 init_module(name, image). */
    void initModuleLegacy(String name, byte[] image) throws ErrnoException;

    void deleteModule(String name, int flags) throws ErrnoException;

    /**
     * query_module(name, which, buf, buf.length, &ret); {@code name} and {@code buf} may be null.
     * {@code ret[0]} receives the kernel's ret also when the call fails with ENOSPC.
     */
    void queryModule(String name, int which, byte[] buf, long[] ret) throws ErrnoException;

    /** The 2.6+ init_module(image, len, params). */
    void initModule(byte[] image, String params) throws ErrnoException;

    void finitModule(int fd, String params, int flags) throws ErrnoException;

    /** open(path, O_RDONLY). */
    int open(String path) throws ErrnoException;

    /** memfd_create(name, MFD_CLOEXEC). */
    int memfdCreate(String name) throws ErrnoException;

    void writeAll(int fd, byte[] data) throws ErrnoException;

    void close(int fd);
}
