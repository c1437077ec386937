package org.modutils.insmod.arch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.cli.Load24;
import org.modutils.insmod.module.LoadRequest;
import org.modutils.insmod.module.Loads;
import org.modutils.insmod.report.Report;

/** Loads into a pretend 2.4 kernel (create_module returns a chosen address), for the ppc tests. */
final class PpcLoads {
    private PpcLoads() {}

    /** What a load came to: exit status, error lines, the image given to init_module and where. */
    record Load(int status, List<String> errors, byte[] image, long address) {}

    static Load load(Path obj, Path ksymsFile, long createModuleAddress, boolean noload) throws Exception {
        KernelSymbols ksyms = KsymsParser.parse(Files.readAllBytes(ksymsFile));
        List<String> errors = new ArrayList<>();
        byte[][] loaded = new byte[1][];
        Kernel kernel = new Kernel() {
            @Override public String release() { return "2.4.27"; }
            @Override public String version() { return "#1 Sat Jan 1 00:00:00 UTC 2005"; }
            @Override public boolean legacy() { return true; }
            @Override public KernelSymbols symbols() { return ksyms; }
            @Override public long createModule(String name, long size) { return createModuleAddress; }
            @Override public void initModule(String name, byte[] image) { loaded[0] = image.clone(); }
            @Override public void deleteModule(String name) {}
            @Override public byte[] readFile(String path) { return null; }
            @Override public int tainted() { return 0; }
            @Override public void setTainted(int value) throws KernelException {}
        };
        Report log = new Report() {
            private String file = "insmod";

            @Override public void error(String message) { errors.add(file + ": " + message); }
            @Override public void info(String message) {}
            @Override public void warning(String message) {}
            @Override public void errorFile(String name) { file = name; }
        };
        String name = obj.getFileName().toString().replace(".o", "");
        LoadRequest req = LoadRequest.builder(obj.toString(), Files.readAllBytes(obj))
                .realPath(obj.toAbsolutePath(), 0x40000000L).moduleName(name)
                .kernel(kernel.release(), kernel.version()).noload(noload)
                .option(LoadRequest.Option.LOCK, false).build();
        Load24.Result r = Loads.run(req, log, kernel, ksyms);
        return new Load(r.status(), errors, noload ? r.image() : loaded[0], r.address());
    }
}
