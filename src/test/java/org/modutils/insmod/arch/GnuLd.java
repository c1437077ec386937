package org.modutils.insmod.arch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.kernel.LoadedModule;

/**
 * An independent check of our relocation: GNU ld links the same object with every section at
 * the address our load map gives and every undefined symbol at the value our symbol table gives
 * (--defsym), and the relocated bytes of each of the object's allocated sections must agree with
 * our -O image. Sections insmod makes itself (.this, __archdata, .kmodtab, GOT/PLT, ...) and the
 * parts insmod appends to .kstrtab/__ksymtab are not in the object, so they are not compared.
 */
public final class GnuLd {
    private GnuLd() {}

    /** The result of one comparison: how many bytes were compared, and the differences found. */
    public record Comparison(long bytesCompared, List<String> differences, String map) {}

    /** True when {@code tool} runs (e.g. "ld", "arm-linux-gnueabi-ld"). */
    public static boolean available(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /**
     * Links {@code obj} with our insmod (-n -m -O) against {@code ksyms} and with GNU ld at the
     * same addresses, and compares. {@code ld}/{@code objcopy} are the binutils for the target,
     * {@code emulation} ld's -m value (null for the default).
     */
    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Path work, String... extraInsmodArgs) throws Exception {
        return compare(obj, ksyms, release, ld, objcopy, emulation, work, null, null, extraInsmodArgs);
    }

    /**
     * Lets a target's test compare by meaning the fields that insmod and ld encode differently (a
     * call through insmod's PLT stub that ld makes direct, an offset into insmod's GOT instead of
     * ld's). Called for each compared section before its bytes are compared; it checks such fields
     * and, where they mean the same, copies ld's bytes over {@code ours}; it throws AssertionError
     * where they do not.
     */
    @FunctionalInterface
    public interface Normalizer {
        void normalize(String section, long addr, byte[] ours, byte[] theirs, Linked linked) throws Exception;
    }

    /** What a {@link Normalizer} can look at: our image and map, and ld's output. */
    public record Linked(byte[] image, long base, Map<String, long[]> sections, Map<String, Long> symbols,
                         ElfFile ldOutput) {
        /** {@code size} bytes of ld's output at address {@code addr}, or null when no section holds them. */
        public byte[] ldBytes(long addr, int size) {
            for (int i = 0; i < ldOutput.sectionCount(); i++) {
                ElfSection s = ldOutput.section(i);
                if ((s.flags() & Elf.SHF_ALLOC) != 0 && s.type() != Elf.SHT_NOBITS && addr >= s.addr()
                        && addr + size <= s.addr() + s.size()) {
                    byte[] d = ldOutput.sectionData(i);
                    return java.util.Arrays.copyOfRange(d, (int) (addr - s.addr()), (int) (addr - s.addr()) + size);
                }
            }
            return null;
        }

        /** The value of {@code name} in ld's output symbol table, or null. */
        public Long ldSymbol(String name) throws Exception {
            for (int i = 0; i < ldOutput.sectionCount(); i++) {
                if (ldOutput.section(i).type() == Elf.SHT_SYMTAB) {
                    ElfSymbols syms = ldOutput.symbols(i);
                    for (int k = 1; k < syms.count(); k++) {
                        if (syms.name()[k].equals(name)) {
                            return syms.value()[k];
                        }
                    }
                }
            }
            return null;
        }

        /** {@code size} bytes of our image at address {@code addr}. */
        public byte[] ourBytes(long addr, int size) {
            int off = (int) (addr - base);
            return java.util.Arrays.copyOfRange(image, off, off + size);
        }
    }

    /**
     * As {@link #compare(Path, Path, String, String, String, String, Path, String...)}, with
     * {@code extraScript} added to ld's SECTIONS (e.g. where its GOT goes) and a {@code normalizer}
     * (both may be null).
     */
    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Path work, String extraScript, Normalizer normalizer,
                                     String... extraInsmodArgs) throws Exception {
        Files.createDirectories(work);
        Path blob = work.resolve("blob.bin");
        List<String> argv = new ArrayList<>(List.of("--ksyms=" + ksyms, "--uname-release=" + release,
                "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005", "-n", "-m", "-O", blob.toString()));
        argv.addAll(List.of(extraInsmodArgs));
        argv.add(obj.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of());
        String map = out.toString(StandardCharsets.ISO_8859_1);
        if (rc != 0) {
            throw new AssertionError("insmod failed (" + rc + "): " + err.toString(StandardCharsets.ISO_8859_1));
        }
        byte[] image = Files.readAllBytes(blob);
        Map<String, long[]> sections = new LinkedHashMap<>();
        Map<String, Long> symbols = new LinkedHashMap<>();
        boolean inSymbols = false;
        for (String line : map.split("\n")) {
            if (line.startsWith("Symbols:")) {
                inSymbols = true;
                continue;
            }
            String[] p = line.trim().split("\\s+");
            if (!inSymbols && p.length == 4 && p[3].startsWith("2**")) {
                sections.put(p[0], new long[] {Long.parseUnsignedLong(p[2], 16), Long.parseUnsignedLong(p[1], 16)});
            } else if (inSymbols && p.length == 3) {
                symbols.put(p[2], Long.parseUnsignedLong(p[0], 16));
            }
        }
        long base = sections.get(".this")[0];

        byte[] objBytes = Files.readAllBytes(obj);
        ElfFile elf = ElfFile.parse(obj.toString(), objBytes);
        // Every name the object leaves undefined gets the value insmod bound it to.
        KernelSymbols table = KsymsParser.parse(Files.readAllBytes(ksyms));
        Map<String, Long> kernel = new LinkedHashMap<>();
        for (LoadedModule m : table.modules()) {
            for (KernelSymbol s : m.symbols()) {
                kernel.putIfAbsent(s.name(), s.value());
            }
        }
        for (KernelSymbol s : table.kernel()) {
            kernel.putIfAbsent(s.name(), s.value());
        }
        List<String> defsyms = new ArrayList<>();
        List<String> mergeFlags = new ArrayList<>();
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if (s.type() == Elf.SHT_SYMTAB) {
                ElfSymbols syms = elf.symbols(i);
                for (int k = 1; k < syms.count(); k++) {
                    if (syms.shndx()[k] != Elf.SHN_UNDEF || syms.name()[k].isEmpty()) {
                        continue;
                    }
                    String n = syms.name()[k];
                    Long v = n.equals("__this_module") ? Long.valueOf(base) : kernel.get(n);
                    if (v == null) {
                        v = kernel.get("GPLONLY_" + n);
                    }
                    if (v != null) {
                        defsyms.add("--defsym=" + n + "=0x" + Long.toHexString(v));
                    }
                }
            }
            if ((s.flags() & 0x10) != 0 && (s.flags() & Elf.SHF_ALLOC) != 0) {
                mergeFlags.add("--set-section-flags=" + s.name() + "=alloc,load,readonly,data,contents");
            }
        }
        // ld would merge duplicate strings in SHF_MERGE sections; insmod never does.
        Path plain = work.resolve("plain.o");
        List<String> oc = new ArrayList<>(List.of(objcopy));
        oc.addAll(mergeFlags);
        oc.add(obj.toAbsolutePath().toString());
        oc.add(plain.toString());
        run(work, oc);

        StringBuilder script = new StringBuilder("SECTIONS\n{\n");
        List<ElfSection> compared = new ArrayList<>();
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if ((s.flags() & Elf.SHF_ALLOC) == 0 || s.name().equals(".modinfo") || s.name().equals(".modstring")) {
                continue;
            }
            long[] placed = sections.get(s.name());
            if (placed == null) {
                continue;
            }
            String outName = s.name();
            script.append("  ").append(outName).append(" 0x").append(Long.toHexString(placed[0]))
                  .append(" : { KEEP(*(").append(s.name()).append("))");
            if (s.type() == Elf.SHT_NOBITS) {
                script.append(" *(COMMON)");
            }
            script.append(" }\n");
            compared.add(s);
        }
        if (extraScript != null) {
            script.append(extraScript);
        }
        script.append("  /DISCARD/ : { *(.modinfo) *(.modstring) *(.comment) *(.note.GNU-stack) }\n}\n");
        Path lds = work.resolve("link.lds");
        Files.writeString(lds, script);
        Path linked = work.resolve("linked.elf");
        List<String> cmd = new ArrayList<>(List.of(ld));
        if (emulation != null) {
            cmd.add("-m");
            cmd.add(emulation);
        }
        cmd.addAll(List.of("-T", lds.toString(), "-o", linked.toString(), "-e", "0", "--no-relax", "-nostdlib",
                "-static", "--build-id=none", "--noinhibit-exec", "-z", "noexecstack"));
        cmd.addAll(defsyms);
        cmd.add(plain.toString());
        run(work, cmd);

        ElfFile out2 = ElfFile.parse(linked.toString(), Files.readAllBytes(linked));
        List<String> diffs = new ArrayList<>();
        long bytes = 0;
        for (ElfSection s : compared) {
            ElfSection o = null;
            for (int i = 0; i < out2.sectionCount(); i++) {
                if (out2.section(i).name().equals(s.name())) {
                    o = out2.section(i);
                }
            }
            if (o == null) {
                diffs.add(s.name() + ": not in GNU ld's output");
                continue;
            }
            if (o.type() == Elf.SHT_NOBITS) {
                continue;
            }
            long addr = sections.get(s.name())[0];
            if (o.addr() != addr) {
                diffs.add(s.name() + ": GNU ld placed it at 0x" + Long.toHexString(o.addr()));
                continue;
            }
            byte[] theirs = out2.sectionData(o.index());
            int off = (int) (addr - base);
            byte[] ours = java.util.Arrays.copyOfRange(image, off, off + (int) s.size());
            if (normalizer != null) {
                normalizer.normalize(s.name(), addr, ours, theirs, new Linked(image, base, sections, symbols, out2));
            }
            for (int k = 0; k < s.size(); k++) {
                if (theirs[k] != ours[k]) {
                    if (diffs.size() < 20) {
                        diffs.add(String.format("%s+0x%x: ld %02x, insmod %02x", s.name(), k, theirs[k] & 0xff,
                                ours[k] & 0xff));
                    }
                }
            }
            bytes += s.size();
        }
        return new Comparison(bytes, diffs, map);
    }
}
