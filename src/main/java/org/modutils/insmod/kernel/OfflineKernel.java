package org.modutils.insmod.kernel;

/**
 * The kernel of an offline run (-n with --ksyms): a symbol table from a file, a release and
 * version string from the command line, and no way to load anything. {@code taintSupported}:
 * the kernel is taken to have /proc/sys/kernel/tainted.
 */
public record OfflineKernel(String release, String version, KernelSymbols symbols, boolean taintSupported)
        implements Kernel {
    @Override public boolean legacy() { return true; }

    @Override
    public long createModule(String name, long size) throws KernelException {
        throw new KernelException(38, "Function not implemented (offline symbol table: use -n)");
    }

    @Override
    public void initModule(String name, byte[] image) throws KernelException {
        throw new KernelException(38, "Function not implemented (offline symbol table: use -n)");
    }

    @Override
    public void deleteModule(String name) {
    }

    @Override
    public byte[] readFile(String path) {
        return null;
    }

    /** 2.4.10 and later kernels have /proc/sys/kernel/tainted; an offline table is assumed to be one. */
    @Override
    public int tainted() {
        return taintSupported ? 0 : -1;
    }

    @Override
    public void setTainted(int value) {
    }
}
