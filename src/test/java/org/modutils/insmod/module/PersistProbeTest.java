package org.modutils.insmod.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.RecordingKernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;

/**
 * insmod -e on a kernel that refuses the persistent-data read request, as every mainline 2.4
 * kernel does (init_module with a negative size_of_struct is EINVAL there, "Invalid module
 * header size"): the original reported it and loaded the module all the same (it restored its
 * error count); found on the real 2.4.27 kernel, where the module was created and never
 * initialised.
 */
class PersistProbeTest {
    @TempDir
    Path tmp;

    @Test
    void theRefusedProbeDoesNotStopTheLoad() throws Exception {
        Path obj = Path.of("testdata/legacy-kernels/persist/params-p.o");
        KernelSymbols syms = LegacyLoadTest.table("ksyms32.txt");
        List<String> seen = new ArrayList<>();
        RecordingKernel k = new RecordingKernel() {
            @Override
            public void initModule(String name, byte[] img) throws KernelException {
                seen.add("init_module " + name + " " + img.length);
                if (img.length < 200) {
                    throw new KernelException(Errno.EINVAL, Errno.text(Errno.EINVAL));
                }
            }

            @Override
            public void deleteModule(String name) {
                seen.add("delete_module " + name);
            }
        };
        k.symbols = syms;
        LoadRequest req = LegacyLoadTest.builder(obj, Files.readAllBytes(obj), "params").args(List.of("p_int=7"))
                .persist(tmp.resolve("params.conf").toString(), null, List.of()).build();
        Loads.Capture c = new Loads.Capture();
        org.modutils.insmod.cli.Load24.Result r = Loads.run(req, c, k, syms);
        assertEquals(0, r.status(), c.err.toString());
        assertTrue(c.err.toString().contains(": has persistent data but the kernel is too old to support it."
                + "  Expect errors during rmmod as well\n"), c.err.toString());
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith("init_module params "), seen.toString());  // the probe
        assertEquals("init_module params " + r.image().length, seen.get(1));           // the module itself
    }
}
