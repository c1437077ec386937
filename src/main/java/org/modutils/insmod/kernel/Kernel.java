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

    /**
     * The loaded modules as query_module(2) reports them (modutils' get_kernel_info): names in
     * kernel order, with QM_INFO, QM_REFS and QM_SYMBOLS as {@code what} asks. Only 2.1-2.4
     * kernels have it; others answer ENOSYS ("QM_MODULES: Function not implemented").
     */
    default ModuleTable moduleTable(ModuleQuery what) throws KernelException {
        throw new KernelException(Errno.ENOSYS, "QM_MODULES: " + Errno.text(Errno.ENOSYS));
    }

    /**
     * {@code length} bytes of kernel memory at {@code address} (/dev/kmem, which on 2.4 also
     * reads the vmalloc area modules live in). rmmod reads persistent parameters with it where
     * the kernel refuses modutils' init_module read request.
     */
    default byte[] readKernelMemory(long address, int length) throws KernelException {
        throw new KernelException(Errno.ENOSYS, "/dev/kmem: " + Errno.text(Errno.ENOSYS));
    }

    // ---- 2.6+ kernels: the kernel links the module itself. Defaults say "not supported", so
    // implementations that only serve the 2.4 linker (offline -n, remote) need not change.

    /** finit_module(2) flag: skip the modversions (CRC) check; needs CONFIG_MODULE_FORCE_LOAD. */
    int MODULE_INIT_IGNORE_MODVERSIONS = 1;
    /** finit_module(2) flag: skip the vermagic check; needs CONFIG_MODULE_FORCE_LOAD. */
    int MODULE_INIT_IGNORE_VERMAGIC = 2;
    /** finit_module(2) flag: the file is compressed and the kernel decompresses it (5.17+). */
    int MODULE_INIT_COMPRESSED_FILE = 4;

    /** uname -m of the kernel (the ELF machine its modules must have), or null when unknown. */
    default String machine() throws KernelException {
        return null;
    }

    /** finit_module(2) on the file at {@code path} with the kernel-format parameter string. */
    default void finitModule(String path, String params, int flags) throws KernelException {
        throw new KernelException(Errno.ENOSYS, "finit_module: " + Errno.text(Errno.ENOSYS));
    }

    /**
     * finit_module(2) on an anonymous memory file (memfd_create) holding {@code image}: the
     * finit path (and its flags) for modules that were decompressed or read from stdin.
     * {@code name} only labels the memfd.
     */
    default void finitModuleImage(String name, byte[] image, String params, int flags) throws KernelException {
        throw new KernelException(Errno.ENOSYS, "memfd_create: " + Errno.text(Errno.ENOSYS));
    }

    /** The 2.6+ init_module(2): {@code image} is a whole, uncompressed .ko. */
    default void initModuleImage(byte[] image, String params) throws KernelException {
        throw new KernelException(Errno.ENOSYS, "init_module: " + Errno.text(Errno.ENOSYS));
    }
}
