package org.modutils.insmod.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSource;
import org.modutils.insmod.modern.Compression;
import org.modutils.insmod.modern.KoFile;
import org.modutils.insmod.modmap.KallsymsTable;
import org.modutils.insmod.modmap.MapException;
import org.modutils.insmod.modmap.ModuleImage;
import org.modutils.insmod.modmap.MapRequest;
import org.modutils.insmod.modmap.MapText;
import org.modutils.insmod.modmap.ModMap;
import org.modutils.insmod.modmap.SectionsDir;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.tools.ToolLog;

/**
 * {@code insmod -n -m FILE.ko [--sections=DIR]}: the load map of a 2.6+ module, printed; the
 * work is {@link ModMap}'s.
 */
final class ModMapTool {
    private ModMapTool() {}

    /** Larger than any module: the bound insmod reads a module file to. */
    private static final long MAX_FILE = 1L << 30;

    /**
     * Runs the map when this command asks for one: -n -m on a 2.6+ module, or --sections. Null
     * when it does not (a 2.4 object goes on to the 2.4 linker).
     */
    static Integer runIfModern(String filename, Path path, String sections, boolean noload, boolean map,
                               String blob, String release, String ksyms, ToolLog log) {
        if (sections == null && !(noload && map)) {
            return null;
        }
        if (sections == null && !looksModern(path)) {
            return null;
        }
        byte[] raw;
        try {
            if (Files.isRegularFile(path) && Files.size(path) > MAX_FILE) {
                log.error(filename + ": larger than any module");
                return 1;
            }
            raw = Files.readAllBytes(path);
        } catch (IOException e) {
            log.error(filename + ": " + IoReasons.of(e));
            return 1;
        }
        if (sections == null && !isModern(raw)) {
            return null;
        }
        if (!noload || !map) {
            log.error("--sections makes a load map of a module another kernel has loaded: it needs -n and -m");
            return 1;
        }
        if (blob != null && (sections == null || ksyms == null)) {
            log.error("-O with a 2.6+ module writes it relocated at the target's addresses: give them with "
                    + "--sections=DIR and the target's kernel symbols with --ksyms=FILE (a /proc/kallsyms copy)");
            return 1;
        }
        try {
            Map<String, Long> addresses = sections == null ? Map.of() : SectionsDir.read(Path.of(sections));
            var lines = ksyms == null ? java.util.List.<KallsymsTable.Line>of()
                    : KallsymsTable.lines(ksyms, readSymbols(ksyms));
            MapRequest req = new MapRequest(filename, raw, addresses, release, lines);
            var m = ModMap.build(req);
            if (blob != null) {
                writeImages(blob, ModuleImage.build(req, KallsymsTable.symbols(lines)));
            }
            String text = MapText.render(m, objectName(filename));
            log.info(text.substring(0, text.length() - 1));
            return 0;
        } catch (MapException e) {
            log.error(e.getMessage());
            return 1;
        }
    }

    private static byte[] readSymbols(String ksyms) throws MapException {
        try {
            return Files.readAllBytes(Path.of(ksyms));
        } catch (IOException e) {
            throw new MapException(ksyms + ": " + IoReasons.of(e));
        }
    }

    /**
     * BLOB.unit for each allocation (BLOB.core and BLOB.init before 6.4, BLOB.text, BLOB.data, ...
     * from 6.4), each written whole under a temporary name and renamed, so none is left half
     * written.
     */
    private static void writeImages(String blob, java.util.List<ModuleImage.Allocation> images) throws MapException {
        for (ModuleImage.Allocation a : images) {
            Path target = Path.of(blob + "." + a.unit());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp" + ProcessHandle.current().pid());
            try {
                Files.write(tmp, a.bytes());
                Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to undo
                }
                throw new MapException(target + ": " + IoReasons.of(e));
            }
        }
    }

    /**
     * A cheap first look, so a large 2.4 object is not read twice: an uncompressed ELF file is a
     * 2.6+ module only if it has the kernel's module struct section; a compressed file, or one
     * that cannot be opened is left to the 2.4 path.
     */
    private static boolean looksModern(Path path) {
        try (ElfSource src = ElfSource.open(path)) {
            byte[] head = src.head(4);
            if (!ElfFile.isElf(head)) {
                return Compression.detect(src.head(6)) != Compression.NONE;
            }
            ElfFile f = ElfFile.sections(path.toString(), src);
            for (int i = 0; i < f.sectionCount(); i++) {
                if (f.section(i).name().equals(".gnu.linkonce.this_module")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false; // unreadable: the 2.4 path says so in its words
        } catch (ElfException | RuntimeException e) {
            return true; // the full look decides, and hands anything but a 2.6+ module to the 2.4 path
        }
    }

    /** A 2.6+ module, compressed or not: what the map is for (a 2.4 object is the linker's). */
    private static boolean isModern(byte[] raw) {
        try {
            byte[] data = Compression.detect(raw).decompress(raw);
            return ElfFile.isElf(data) && KoFile.parse(data).isModernModule();
        } catch (IOException | KoFile.BadModuleException | RuntimeException e) {
            return false;
        }
    }

    /** The file gdb reads: the module's name without a compression suffix. */
    static String objectName(String filename) {
        for (String z : new String[] {".xz", ".zst", ".gz"}) {
            if (filename.endsWith(".ko" + z)) {
                return filename.substring(0, filename.length() - z.length());
            }
        }
        return filename;
    }
}
