package org.modutils.insmod.modern;

import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import org.modutils.insmod.kernel.Kernel;

/**
 * One load of a 2.6+ module.
 *
 * @param module      the module file, or {@code "-"} for standard input
 * @param params      {@code name=value} arguments as given (quoted for the kernel by {@link ParamString})
 * @param force       {@code -f}: ask the kernel to ignore vermagic and modversions
 * @param verbose     {@code -v}: print the signature and the system call used
 * @param verifyCerts {@code --verify}: X.509 certificate files (PEM or DER); when not empty the
 *                    module is handed to the kernel only if its signature verifies with one
 * @param syscall     which system call to use (AUTO: decided by the file and the kernel)
 * @param kernel      the kernel to load into
 * @param stdin       where {@code "-"} reads from
 */
public record ModernRequest(String module, List<String> params, boolean force, boolean verbose,
                            List<String> verifyCerts, Syscall syscall, Kernel kernel, InputStream stdin) {

    /** AUTO as kmod does; FINIT and INIT force one path (tests, kernels with a broken finit). */
    public enum Syscall { AUTO, FINIT, INIT }

    public ModernRequest {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(kernel, "kernel");
        params = params == null ? List.of() : List.copyOf(params);
        verifyCerts = verifyCerts == null ? List.of() : List.copyOf(verifyCerts);
        syscall = syscall == null ? Syscall.AUTO : syscall;
        stdin = stdin == null ? System.in : stdin;
    }

    /** A plain load: no options. */
    public static ModernRequest of(String module, List<String> params, Kernel kernel) {
        return new ModernRequest(module, params, false, false, List.of(), Syscall.AUTO, kernel, System.in);
    }
}
