package org.modutils.insmod.kernel;

/**
 * What {@link Kernel#moduleTable} should collect about the loaded modules, as modutils'
 * get_kernel_info(K_INFO | K_REFS | K_SYMBOLS) chose: the module names always, QM_INFO (size,
 * flags, use count), QM_REFS (the modules using each one), QM_SYMBOLS per module and of the
 * kernel itself.
 */
public record ModuleQuery(boolean info, boolean refs, boolean symbols) {
    /** Names and struct addresses only (what rmmod compares for its snapshot). */
    public static final ModuleQuery NAMES = new ModuleQuery(false, false, false);
    /** lsmod, rmmod -r: sizes, flags, use counts and users. */
    public static final ModuleQuery STATUS = new ModuleQuery(true, true, false);
    /** ksyms: sizes and every symbol, the kernel's included. */
    public static final ModuleQuery SYMBOLS = new ModuleQuery(true, false, true);
}
