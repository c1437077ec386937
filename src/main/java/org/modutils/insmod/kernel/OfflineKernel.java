package org.modutils.insmod.kernel;

/**
 * The kernel of an offline run (-n with --ksyms): a symbol table from a file, a release and
 * version string from the command line, and no way to load anything.
 */
public final class OfflineKernel implements Kernel {
    private final String release;
    private final String version;
    private final KernelSymbols symbols;
    private final boolean taintSupported;

    public OfflineKernel(String release, String version, KernelSymbols symbols, boolean taintSupported) {
        this.release = release;
        this.version = version;
        this.symbols = symbols;
        this.taintSupported = taintSupported;
    }

    @Override public String release() { return release; }
    @Override public String version() { return version; }
    @Override public boolean legacy() { return true; }
    @Override public KernelSymbols symbols() { return symbols; }

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
