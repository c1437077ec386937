package org.modutils.insmod.kernel;

/**
 * Where symbols come from and where images go. Implementations: the running kernel (JNA
 * syscalls and /proc), an offline table for -n, a recording fake for tests, a remote target.
 */
public interface Kernel {
    /** uname -r */
    String release();

    /** uname -v */
    String version();

    /** True when the kernel has query_module(2), i.e. it is a 2.1-2.4 kernel that wants a linked image. */
    boolean legacy();

    /** Loaded modules and kernel exports (query_module when present, else /proc/ksyms). */
    KernelSymbols symbols() throws KernelException;

    /** create_module(2): reserve {@code size} bytes for {@code name}, returning the kernel address. */
    long createModule(String name, long size) throws KernelException;

    /** 2.1+ init_module(2) with a linked image whose first bytes are the struct module. */
    void initModule(String name, byte[] image) throws KernelException;

    /** delete_module(2). */
    void deleteModule(String name) throws KernelException;

    /** Contents of a kernel file such as /proc/ksyms or /proc/modules, or null when absent. */
    byte[] readFile(String path) throws KernelException;

    /** Current /proc/sys/kernel/tainted, or -1 when the kernel has no taint support. */
    int tainted() throws KernelException;

    /** Writes /proc/sys/kernel/tainted. */
    void setTainted(int value) throws KernelException;
}
