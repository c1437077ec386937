package org.modutils.insmod.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.modutils.insmod.kernel.LinuxKernel;
import org.modutils.insmod.modern.Messages;
import org.modutils.insmod.modern.ModernInsmod;
import org.modutils.insmod.modern.ModernRequest;

public final class Insmod {
    private Insmod() {}

    // MODERN-PATH DISPATCH (temporary, modern branch): the smallest command line that reaches
    // ModernInsmod, until the real CLI (commons-cli, the 2.4 options, the linker) is merged.
    // Understands: -f, -v, --verify=CERT[,CERT], --syscall=auto|finit|init, MODULE|-, name=value...
    public static int run(String[] args) {
        Messages out = Messages.stdio();
        try {
            boolean force = false, verbose = false;
            List<String> certs = new ArrayList<>();
            ModernRequest.Syscall syscall = ModernRequest.Syscall.AUTO;
            int i = 0;
            for (; i < args.length && args[i].startsWith("-") && !args[i].equals("-"); i++) {
                String a = args[i];
                if (a.equals("-f") || a.equals("--force")) force = true;
                else if (a.equals("-v") || a.equals("--verbose")) verbose = true;
                else if (a.startsWith("--verify=")) certs.addAll(Arrays.asList(a.substring(9).split(",")));
                else if (a.startsWith("--syscall=")) {
                    try {
                        syscall = ModernRequest.Syscall.valueOf(a.substring(10).toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        out.error("--syscall takes auto, finit or init");
                        return 1;
                    }
                } else {
                    out.error("unknown option " + a + "\nusage: insmod [-f] [-v] [--verify=CERT[,CERT]] [--syscall=auto|finit|init] MODULE|- [name=value ...]");
                    return 1;
                }
            }
            if (i >= args.length) {
                out.error("missing module file\nusage: insmod [-f] [-v] [--verify=CERT[,CERT]] [--syscall=auto|finit|init] MODULE|- [name=value ...]");
                return 1;
            }
            String module = args[i];
            List<String> params = Arrays.asList(args).subList(i + 1, args.length);
            LinuxKernel kernel = new LinuxKernel();
            if (kernel.legacy()) {
                if (!module.equals("-")) {
                    try {
                        if (ModernInsmod.isModernModule(Files.readAllBytes(Paths.get(module))))
                            return ModernInsmod.refuseOnLegacyKernel(module, kernel.release(), out);
                    } catch (IOException e) {
                        // reported by the 2.4 path
                    }
                }
                out.error(module + ": the 2.4 load path (userspace linker) is not in this build yet");
                return 1;
            }
            return ModernInsmod.run(new ModernRequest(module, params, force, verbose, certs, syscall, kernel, System.in), out);
        } catch (RuntimeException | Error e) {
            out.error("ERROR: internal error: " + e);
            return 1;
        }
    }
}
