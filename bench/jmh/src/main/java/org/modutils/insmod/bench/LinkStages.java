package org.modutils.insmod.bench;

import static org.modutils.insmod.elf.Elf.*;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.modutils.insmod.link.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.link.LoadMap;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.link.Relocator;
import org.modutils.insmod.link.Sym;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The linker stages on the generated large module (bench/gen-big.py, made by bench/run.sh in
 * bench/work/x1): read (ELF parse and obj_load), resolve (kernel symbols, undefined check),
 * layout (commons, section placement), relocate, emit (image and load map), and the whole
 * in-process -n -m -O run. Each stage starts from a fresh object made by the stages before it
 * (per invocation: the stages mutate it), so the numbers are the stage alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class LinkStages {
    @Param({"bench/work/x1"})
    public String dir;

    private byte[] object;
    private KernelSymbols ksyms;
    private String objPath, ksymsPath, blobPath;
    private ObjFile f;

    @Setup(Level.Trial)
    public void read() throws Exception {
        Path d = Path.of(dir);
        objPath = d.resolve("big.o").toString();
        ksymsPath = d.resolve("ksyms64.txt").toString();
        blobPath = Files.createTempFile("insmod-bench", ".bin").toString();
        object = Files.readAllBytes(Path.of(objPath));
        ksyms = KsymsParser.parse(Files.readAllBytes(Path.of(ksymsPath)));
    }

    private ObjFile load() throws Exception {
        ElfFile elf = ElfFile.parse(objPath, object);
        Target t = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
        t.useKernelSymbols(name -> {
            for (KernelSymbol k : ksyms.kernel()) {
                if (k.name().equals(name)) return k.value();
            }
            return null;
        });
        return ObjLoader.load(elf, t);
    }

    /** add_kernel_symbols for the kernel's table (what Insmod24 does, without modules). */
    private static int resolve(ObjFile f, List<KernelSymbol> kernel) {
        int used = 0;
        for (KernelSymbol s : kernel) {
            Sym sym = f.findSymbol(s.name());
            if (sym != null && stBind(sym.info) != STB_LOCAL) {
                f.symbols().add(s.name(), -1, stInfo(STB_GLOBAL, STT_NOTYPE), SHN_HIRESERVE + 1, s.value(), 0);
                used++;
            }
        }
        return used + f.checkUndefineds().size();
    }

    private static long layout(ObjFile f) throws Exception {
        f.target.createGot(f);
        f.allocateCommons();
        return f.loadSize();
    }

    @State(Scope.Thread)
    public static class AfterRead {
        ObjFile f;

        @Setup(Level.Invocation)
        public void setup(LinkStages b) throws Exception {
            f = b.load();
        }
    }

    @State(Scope.Thread)
    public static class AfterResolve {
        ObjFile f;

        @Setup(Level.Invocation)
        public void setup(LinkStages b) throws Exception {
            f = b.load();
            resolve(f, b.ksyms.kernel());
        }
    }

    @State(Scope.Thread)
    public static class AfterLayout {
        ObjFile f;
        long size;

        @Setup(Level.Invocation)
        public void setup(LinkStages b) throws Exception {
            f = b.load();
            resolve(f, b.ksyms.kernel());
            size = layout(f);
        }
    }

    @State(Scope.Thread)
    public static class AfterRelocate {
        ObjFile f;
        long size;

        @Setup(Level.Invocation)
        public void setup(LinkStages b) throws Exception {
            f = b.load();
            resolve(f, b.ksyms.kernel());
            size = layout(f);
            Relocator.relocate(f, 0x12340000L, false, false);
        }
    }

    @Benchmark
    public ObjFile read_() throws Exception {
        return load();
    }

    @Benchmark
    public int resolve(AfterRead s) {
        return resolve(s.f, ksyms.kernel());
    }

    @Benchmark
    public long layout(AfterResolve s) throws Exception {
        return layout(s.f);
    }

    @Benchmark
    public List<String> relocate(AfterLayout s) throws Exception {
        return Relocator.relocate(s.f, 0x12340000L, false, false);
    }

    @Benchmark
    public int emit(AfterRelocate s) {
        byte[] image = s.f.createImage(s.size);
        return image.length + LoadMap.bytes(s.f).length;
    }

    /** The whole -n -m -O run in process (options, reading, linking, map to a null stream, blob). */
    @Benchmark
    public int whole() {
        PrintStream nul = new PrintStream(OutputStream.nullOutputStream());
        return Insmod.run(new String[] {"--ksyms=" + ksymsPath, "--uname-release=2.4.27", "-n", "-m", "-O", blobPath,
                objPath}, nul, nul, Map.of());
    }
}
