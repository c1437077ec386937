package org.modutils.insmod.kernel;

/**
 * The 2.1-2.4 submit sequence, as the original insmod runs it: create_module(name, size) to get
 * the load address, relocate the image at that address, init_module(name, image); after a
 * failure past create_module the half-made module is removed with delete_module.
 */
public final class LegacyLoad {
    /**
     * The original's advice after a failed init_module (printed as one error; the second line is
     * indented with six spaces as in modutils 2.4.16+).
     */
    public static final String INIT_MODULE_HINT =
            "Hint: insmod errors can be caused by incorrect module parameters, including invalid IO or IRQ parameters.\n"
            + "      You may find more information in syslog or the output from dmesg";

    private LegacyLoad() {}

    /** Builds the final image once the load address is known (the linker's relocate + emit). */
    @FunctionalInterface
    public interface Relocator<E extends Exception> {
        byte[] imageAt(long address) throws E;
    }

    /** init_module failed: {@link #getMessage()} is "init_module: strerror"; print {@link #INIT_MODULE_HINT} after it. */
    public static final class InitModuleFailed extends KernelException {
        public InitModuleFailed(int errno, String message) {
            super(errno, message);
        }
    }

    /**
     * Runs the sequence and returns the load address.
     *
     * @throws KernelException create_module failed (messages: "a module named X already exists",
     *         "can't allocate kernel memory for module; needed N bytes", "create_module: ...";
     *         errno EEXIST lets a caller holding the file lock treat the race as success), or
     *         {@link InitModuleFailed}
     * @throws E the relocator failed (the module was deleted first)
     */
    public static <E extends Exception> long load(Kernel kernel, String name, long size, Relocator<E> relocator)
            throws KernelException, E {
        long address = kernel.createModule(name, size);
        byte[] image;
        try {
            image = relocator.imageAt(address);
        } catch (Exception | Error e) {
            deleteQuietly(kernel, name);
            throw e;
        }
        try {
            kernel.initModule(name, image);
        } catch (KernelException e) {
            deleteQuietly(kernel, name);
            throw new InitModuleFailed(e.errno(), e.getMessage());
        }
        return address;
    }

    private static void deleteQuietly(Kernel kernel, String name) {
        try {
            kernel.deleteModule(name);
        } catch (KernelException ignored) {
            // the original ignores delete_module's result too; the first error is the one to report
        }
    }
}
