package org.modutils.insmod.kernel;

import java.util.Locale;

/**
 * Module-related system call numbers for one host architecture ({@code -1}: the architecture
 * never had that call). Numbers are those of the kernel's syscall tables; arm is EABI (an
 * OABI 2.4 kernel adds 0x900000, which the C library's syscall(2) does for OABI userspace).
 */
public record SyscallTable(String arch, int createModule, int initModule, int deleteModule,
                           int queryModule, int finitModule, int memfdCreate) {

    public static final SyscallTable X86_64 = new SyscallTable("x86_64", 174, 175, 176, 178, 313, 319);
    public static final SyscallTable I386 = new SyscallTable("i386", 127, 128, 129, 167, 350, 356);
    public static final SyscallTable ARM = new SyscallTable("arm", 127, 128, 129, 167, 379, 385);
    /** asm-generic numbering: no create_module/query_module (the port postdates them). */
    public static final SyscallTable AARCH64 = new SyscallTable("aarch64", -1, 105, 106, -1, 273, 279);

    /**
     * The table for a JVM {@code os.arch} value (amd64, x86_64, i386..i686, x86, arm*,
     * aarch64/arm64).
     *
     * @throws KernelException naming the architecture when insmod has no table for it
     */
    public static SyscallTable forArch(String osArch) throws KernelException {
        String a = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64": case "x86_64": return X86_64;
            case "x86": case "i386": case "i486": case "i586": case "i686": return I386;
            case "aarch64": case "arm64": return AARCH64;
            default:
                if (a.startsWith("arm")) return ARM;
                throw new KernelException("insmod does not know the module system call numbers for"
                        + " architecture '" + osArch + "' (known: x86_64, i386, arm, aarch64)");
        }
    }

    /** The table for the running JVM. */
    public static SyscallTable forHost() throws KernelException {
        return forArch(System.getProperty("os.arch"));
    }
}
