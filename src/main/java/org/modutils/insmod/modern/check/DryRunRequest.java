package org.modutils.insmod.modern.check;

import java.util.List;
import java.util.Objects;

/**
 * What to check: a module as read (plain, or gzip/xz/zstd-compressed), the parameters as they
 * would be given to insmod, and the kernel to judge against.
 *
 * @param label       how messages name the module (the path as given, or "(standard input)")
 * @param fileName    the file name, for the module name when .modinfo has none (null for stdin)
 * @param data        the file's bytes
 * @param params      {@code name=value} arguments
 * @param kernel      the running kernel or an offline description of a target
 * @param verifyCerts {@code --verify} certificate files; empty for none
 */
public record DryRunRequest(String label, String fileName, byte[] data, List<String> params, KernelView kernel,
                            List<String> verifyCerts) {
    public DryRunRequest {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(kernel, "kernel");
        params = params == null ? List.of() : List.copyOf(params);
        verifyCerts = verifyCerts == null ? List.of() : List.copyOf(verifyCerts);
    }
}
