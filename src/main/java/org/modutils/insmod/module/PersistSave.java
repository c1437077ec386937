package org.modutils.insmod.module;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.modutils.insmod.link.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.ModuleTable;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.sys.FileBytes;
import org.modutils.insmod.sys.FileNames;
import org.modutils.insmod.sys.Flock;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.report.Report;

/**
 * rmmod's save_persistent_data: the values of a loaded module's persistent parameters, written
 * back to the file insmod -e read them from, in the original's format (see {@link PersistFile}).
 *
 * <p>The module's ksymoops symbols name its object and persist file; the object (locked, and
 * refused if its mtime differs from load time) gives the parameters' formats and offsets, the
 * module's {@code _S} symbols its sections' load addresses. The values are read from kernel
 * memory ({@link Kernel#readKernelMemory}): mainline 2.4 kernels refuse the init_module read
 * request the original used (a negative size_of_struct is EINVAL there), so the original could
 * never save on them. If the values cannot be read, the file is left as it was (the original
 * rewrote it without the parameters it could not read).
 */
public final class PersistSave {
    /**
     * @param module  the loaded module's name
     * @param table   the loaded modules with their symbols (ModuleQuery with symbols)
     * @param kernel  where the values are read
     * @param uname   sysname, nodename, release, version, machine of that kernel's machine
     * @param now     seconds since the epoch for the "Data saved" line
     * @param pid     names the temporary file (persist file + "." + pid)
     * @param program the error file to return to afterwards ("rmmod"); errors about the object name it
     */
    public record Request(String module, ModuleTable table, Kernel kernel, List<String> uname, long now,
                          boolean verbose, long pid, String program) {}

    private PersistSave() {}

    /** Saves one module's persistent data; true when the file was rewritten. Problems are reported through {@code log}. */
    public static boolean save(Request r, Report log) {
        String module = r.module();
        if (r.verbose()) {
            log.info("Checking " + module + " for persistent data");
        }
        String persist = PersistentParms.insmodSymbol(r.table(), module, "P");
        if (persist == null) {
            return false;
        }
        if (r.verbose()) {
            log.info(module + " has persistent data");
        }
        try {
            List<String> lines = values(r, log);
            return lines != null && PersistFile.update(persist, lines, r, log);
        } catch (PersistentParms.Stop e) {
            log.error(e.getMessage());
            return false;
        } finally {
            log.errorFile(r.program());
        }
    }

    /** The "name=value" lines of every persistent parameter, or null when the kernel could not give them. */
    private static List<String> values(Request r, Report log) throws PersistentParms.Stop {
        String module = r.module();
        String o = PersistentParms.insmodSymbol(r.table(), module, "O");
        if (o == null) {
            throw new PersistentParms.Stop("Cannot find obj_name for " + module);
        }
        PersistentParms.ObjectName on = PersistentParms.objectName(o, module);
        Path path;
        byte[] data;
        try {
            path = FileNames.forReading(on.path());     // the _O symbol holds the file name's bytes
            data = readObject(path);
        } catch (IOException | RuntimeException e) {
            throw new PersistentParms.Stop("Object " + on.path() + " for module " + module + " not found");
        }
        log.errorFile(on.path());
        try (Flock lock = lockQuietly(path)) {
            long mtime;
            try {
                mtime = Files.getLastModifiedTime(path).toMillis() / 1000;
            } catch (IOException e) {
                throw new PersistentParms.Stop("Object for module " + module + " not found");
            }
            if (mtime != on.mtime()) {
                throw new PersistentParms.Stop("Object for module " + module + " has changed since load");
            }
            ObjFile f = load(on.path(), data, module, log);
            List<PersistentParms.Parm> parms = PersistentParms.locate(f, r.table(), module, on.path(), log,
                    r.verbose());
            return read(f, parms, r, log);
        }
    }

    private static Flock lockQuietly(Path path) {
        try {
            return Flock.exclusive(path);           // prevents a concurrent reload, as the original
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjFile load(String name, byte[] data, String module, Report log) throws PersistentParms.Stop {
        try {
            ElfFile elf = ElfFile.parse(name, data);
            Target t = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
            if (t == null) {
                throw new ElfException("ELF file " + name + " not for this architecture");
            }
            return ObjLoader.load(elf, t);
        } catch (ElfException | LinkSection.ReadFailure e) {
            log.error(e.getMessage());
            throw new PersistentParms.Stop("Failed to load object for " + module);
        }
    }

    /** The object file, gunzipped when it is gzip (gzf_open). */
    public static byte[] readObject(Path path) throws IOException {
        byte[] raw = FileBytes.read(path);
        if (raw.length < 2 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b) {
            return raw;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static List<String> read(ObjFile f, List<PersistentParms.Parm> parms, Request r, Report log) {
        List<String> lines = new ArrayList<>(parms.size());
        for (PersistentParms.Parm p : parms) {
            byte[] b;
            try {
                b = r.kernel().readKernelMemory(p.address(), p.bytes());
            } catch (KernelException e) {
                log.error("has persistent data but the kernel is too old to support it.");
                if (r.verbose()) {
                    log.info("reading " + p.name() + " at 0x" + Long.toHexString(p.address()) + ": " + e.getMessage());
                }
                return null;
            }
            lines.add(p.name() + "=" + PersistFile.format(p, b, f.bigEndian));
        }
        return lines;
    }

    /** The parameter names of {@code lines} ("name=value"), in order. */
    static String nameOf(String line) {
        return line.substring(0, line.indexOf('='));
    }

    static String ioReason(IOException e) {
        return IoReasons.of(e);
    }
}
