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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

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
    /**
     * What a comparison may change: extra or overriding --defsym values (e.g. ppc64 dot symbols
     * at our stubs), extra ld arguments (e.g. -EB), one PT_LOAD segment (so ld's segment base is
     * the first section), and sections ld makes itself placed where insmod put its own of that
     * name (e.g. alpha's .got, whose address decides the GP).
     */
    public record Options(Map<String, Long> extraDefsyms, List<String> ldArgs, boolean oneSegment,
                          Set<String> placedAsInsmod, String extraScript) {
        public static final Options NONE = new Options(Map.of(), List.of(), false, Set.of(), "");

        public Options(Map<String, Long> extraDefsyms, List<String> ldArgs, boolean oneSegment,
                       Set<String> placedAsInsmod) {
            this(extraDefsyms, ldArgs, oneSegment, placedAsInsmod, "");
        }
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

    /**
     * With {@code extraScript} added to ld's SECTIONS (e.g. where its GOT goes) and a
     * {@code normalizer} (both may be null).
     */
    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Path work, String extraScript, Normalizer normalizer,
                                     String... extraInsmodArgs) throws Exception {
        Linked l = link(obj, ksyms, release, ld, objcopy, emulation, work,
                new Options(Map.of(), List.of(), false, Set.of(), extraScript == null ? "" : extraScript),
                extraInsmodArgs);
        return compare(l, (sec, off) -> false, normalizer);
    }

    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Path work, String... extraInsmodArgs) throws Exception {
        return compare(link(obj, ksyms, release, ld, objcopy, emulation, work, Options.NONE, extraInsmodArgs),
                (sec, off) -> false);
    }

    /** With {@code extraDefsyms} added to (and overriding) the kernel table, {@code extraLdArgs} to ld. */
    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Path work, Map<String, Long> extraDefsyms,
                                     List<String> extraLdArgs, String... extraInsmodArgs) throws Exception {
        return compare(link(obj, ksyms, release, ld, objcopy, emulation, work,
                new Options(extraDefsyms, extraLdArgs, false, Set.of()), extraInsmodArgs), (sec, off) -> false);
    }

    /** The object sections named in {@code notCompared} are linked but their bytes not compared. */
    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Set<String> notCompared, Path work,
                                     String... extraInsmodArgs) throws Exception {
        return compare(obj, ksyms, release, ld, objcopy, emulation, notCompared, Set.of(), work, extraInsmodArgs);
    }

    /** As above, with the sections ld makes named in {@code placedAsInsmod} placed at insmod's address. */
    public static Comparison compare(Path obj, Path ksyms, String release, String ld, String objcopy,
                                     String emulation, Set<String> notCompared, Set<String> placedAsInsmod,
                                     Path work, String... extraInsmodArgs) throws Exception {
        return compare(link(obj, ksyms, release, ld, objcopy, emulation, work,
                new Options(Map.of(), List.of(), false, placedAsInsmod), extraInsmodArgs),
                (sec, off) -> off < 0 && notCompared.contains(sec));
    }

    /**
     * The bytes for which {@code skip} (section name, offset in it) holds are left out, for a
     * caller that checks them by meaning (e.g. branches insmod routes through its own stubs).
     * {@code ldFlags} go to ld as they are (e.g. -EB for a big-endian SH).
     */
    public static Comparison compareExcept(Path obj, Path ksyms, String release, String ld, String objcopy,
                                           String emulation, List<String> ldFlags, Path work,
                                           BiPredicate<String, Long> skip,
                                           String... extraInsmodArgs) throws Exception {
        return compare(link(obj, ksyms, release, ld, objcopy, emulation, work,
                new Options(Map.of(), ldFlags, false, Set.of()), extraInsmodArgs), skip);
    }

    /**
     * Compares each object section's bytes in both links; {@code skip} is asked with offset -1
     * whether to leave a whole section out, then for each byte.
     */
    public static Comparison compare(Linked l, BiPredicate<String, Long> skip) throws Exception {
        return compare(l, skip, null);
    }

    /** As above, with a {@link Normalizer} (may be null) run on each section first. */
    public static Comparison compare(Linked l, BiPredicate<String, Long> skip, Normalizer normalizer)
            throws Exception {
        List<String> diffs = new ArrayList<>();
        long bytes = 0;
        for (ElfSection s : l.compared()) {
            if (skip.test(s.name(), -1L)) {
                continue;
            }
            ElfSection o = l.ldSection(s.name());
            if (o == null) {
                diffs.add(s.name() + ": not in GNU ld's output");
                continue;
            }
            if (o.type() == Elf.SHT_NOBITS) {
                continue;
            }
            long addr = l.sections().get(s.name())[0];
            if (o.addr() != addr) {
                diffs.add(s.name() + ": GNU ld placed it at 0x" + Long.toHexString(o.addr()));
                continue;
            }
            byte[] theirs = l.linked().sectionData(o.index());
            int off = (int) (addr - l.base());
            byte[] ours = java.util.Arrays.copyOfRange(l.image(), off, off + (int) s.size());
            if (normalizer != null) {
                normalizer.normalize(s.name(), addr, ours, theirs, l);
            }
            for (int k = 0; k < s.size(); k++) {
                if (skip.test(s.name(), (long) k)) {
                    continue;
                }
                if (theirs[k] != ours[k]) {
                    if (diffs.size() < 20) {
                        diffs.add(String.format("%s+0x%x: ld %02x, insmod %02x", s.name(), k, theirs[k] & 0xff,
                                ours[k] & 0xff));
                    }
                }
            }
            bytes += s.size();
        }
        return new Comparison(bytes, diffs, l.map());
    }

    /**
     * Both links of one object, for tests that compare more than bytes (GOT, descriptor and stub
     * contents, which ld and insmod lay out differently): our map, image and symbols, and ld's
     * output with each object section placed at our address.
     */
    public record Linked(String map, byte[] image, long base, Map<String, long[]> sections, Map<String, Long> symbols,
                         ElfFile object, ElfFile linked, List<ElfSection> compared) {
        /** ld's output section of that name, or null. */
        public ElfSection ldSection(String name) {
            for (int i = 0; i < linked.sectionCount(); i++) {
                if (linked.section(i).name().equals(name)) {
                    return linked.section(i);
                }
            }
            return null;
        }

        /** {@code n} bytes of ld's output at {@code addr}, or null when no section with contents holds them. */
        public byte[] ldBytes(long addr, int n) {
            for (int i = 0; i < linked.sectionCount(); i++) {
                ElfSection s = linked.section(i);
                if ((s.flags() & Elf.SHF_ALLOC) != 0 && s.type() != Elf.SHT_NOBITS && addr >= s.addr()
                        && addr + n <= s.addr() + s.size()) {
                    byte[] d;
                    try {
                        d = linked.sectionData(i);
                    } catch (org.modutils.insmod.elf.ElfException e) {
                        throw new AssertionError(e.getMessage(), e);
                    }
                    return java.util.Arrays.copyOfRange(d, (int) (addr - s.addr()), (int) (addr - s.addr()) + n);
                }
            }
            return null;
        }

        /** The value of {@code name} in ld's output symbol table, or null. */
        public Long ldSymbol(String name) throws Exception {
            for (int i = 0; i < linked.sectionCount(); i++) {
                if (linked.section(i).type() == Elf.SHT_SYMTAB) {
                    ElfSymbols syms = linked.symbols(i);
                    for (int k = 1; k < syms.count(); k++) {
                        if (syms.name()[k].equals(name)) {
                            return syms.value()[k];
                        }
                    }
                }
            }
            return null;
        }

        /** {@code n} bytes of our image at {@code addr}, or null when outside it. */
        public byte[] ourBytes(long addr, int n) {
            if (addr < base || addr + n > base + image.length) {
                return null;
            }
            return java.util.Arrays.copyOfRange(image, (int) (addr - base), (int) (addr - base) + n);
        }
    }

    /**
     * Runs our insmod (-n -m -O) and GNU ld on {@code obj}: each object section at our map's
     * address, each undefined symbol at the value of the kernel table. {@code extraLdArgs} go
     * to ld before the object; {@code oneSegment} puts every section in one PT_LOAD segment.
     */
    public static Linked link(Path obj, Path ksyms, String release, String ld, String objcopy, String emulation,
                              Path work, List<String> extraLdArgs, boolean oneSegment, String... extraInsmodArgs)
            throws Exception {
        return link(obj, ksyms, release, ld, objcopy, emulation, work,
                new Options(Map.of(), extraLdArgs, oneSegment, Set.of()), extraInsmodArgs);
    }

    /** Both links of {@code obj} with the given options. */
    public static Linked link(Path obj, Path ksyms, String release, String ld, String objcopy, String emulation,
                              Path work, Options o, String... extraInsmodArgs) throws Exception {
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
                    if (o.extraDefsyms().containsKey(n)) {
                        v = o.extraDefsyms().get(n);
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
        if (mergeFlags.isEmpty()) {
            // Nothing to change: ld reads the object as it is (objcopy would rewrite odd vendor
            // symbol tables, e.g. locals after sh_info, into something ld refuses).
            Files.copy(obj, plain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
            List<String> oc = new ArrayList<>(List.of(objcopy));
            oc.addAll(mergeFlags);
            oc.add(obj.toAbsolutePath().toString());
            oc.add(plain.toString());
            run(work, oc);
        }

        StringBuilder script = new StringBuilder(o.oneSegment() ? "PHDRS { all PT_LOAD; }\n" : "");
        script.append("SECTIONS\n{\n");
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
            script.append(o.oneSegment() ? " } :all\n" : " }\n");
            compared.add(s);
        }
        for (String name : o.placedAsInsmod()) {
            long[] placed = sections.get(name);
            if (placed != null) {
                script.append("  ").append(name).append(" 0x").append(Long.toHexString(placed[0]))
                      .append(" : { *(").append(name).append(") }").append(o.oneSegment() ? " :all\n" : "\n");
            }
        }
        script.append(o.extraScript());
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
        cmd.addAll(o.ldArgs());
        cmd.add(plain.toString());
        run(work, cmd);
        ElfFile out2 = ElfFile.parse(linked.toString(), Files.readAllBytes(linked));
        return new Linked(map, image, base, sections, symbols, elf, out2, compared);
    }
}
