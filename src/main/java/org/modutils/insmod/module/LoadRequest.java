package org.modutils.insmod.module;

import java.nio.file.Path;
import java.util.List;

import org.modutils.insmod.elf.ElfSource;

/**
 * What one insmod run asks of the 2.4 linker.
 *
 * @param fileName      the module path as insmod names it in messages
 * @param realPath      the file for the _O ksymoops symbol (null: not resolvable)
 * @param mtime         its modification time in seconds
 * @param object        the object's bytes (decompressed), read as the linker needs them
 * @param moduleName    the internal module name (-o, else from the file name)
 * @param args          the arguments after the module (only those with '=' count)
 * @param blob          -O file, or null
 * @param requiredArch  uname -m of the kernel the image goes to (null: not known, no check)
 * @param persist       -e: the persistent-data file ("" = derive it from persistDir), or null
 * @param persistDir    persistdir= from the configuration
 * @param modulePaths   the module search directories (to make -e "" relative)
 */
public record LoadRequest(String fileName, Path realPath, long mtime, ElfSource object, String moduleName,
                          List<String> args, Path blob, String requiredArch,
                          boolean noload, boolean probe, boolean loadMap, boolean force, boolean autoclean,
                          boolean quiet, boolean verbose, boolean export, boolean ksymoops, boolean forceKallsyms,
                          boolean numericVersionOnly, boolean lock, String prefix, String persist,
                          String release, String utsVersion, String persistDir, List<String> modulePaths) {

    /** A request for an object held in an array. */
    public LoadRequest(String fileName, Path realPath, long mtime, byte[] image, String moduleName,
                       List<String> args, Path blob, String requiredArch,
                       boolean noload, boolean probe, boolean loadMap, boolean force, boolean autoclean,
                       boolean quiet, boolean verbose, boolean export, boolean ksymoops, boolean forceKallsyms,
                       boolean numericVersionOnly, boolean lock, String prefix, String persist,
                       String release, String utsVersion, String persistDir, List<String> modulePaths) {
        this(fileName, realPath, mtime, ElfSource.of(image), moduleName, args, blob, requiredArch, noload, probe,
                loadMap, force, autoclean, quiet, verbose, export, ksymoops, forceKallsyms, numericVersionOnly, lock,
                prefix, persist, release, utsVersion, persistDir, modulePaths);
    }

    /** A request without a configuration (persistdir default, no module paths). */
    public LoadRequest(String fileName, Path realPath, long mtime, byte[] image, String moduleName,
                       List<String> args, Path blob, String requiredArch,
                       boolean noload, boolean probe, boolean loadMap, boolean force, boolean autoclean,
                       boolean quiet, boolean verbose, boolean export, boolean ksymoops, boolean forceKallsyms,
                       boolean numericVersionOnly, boolean lock, String prefix, String persist,
                       String release, String utsVersion) {
        this(fileName, realPath, mtime, image, moduleName, args, blob, requiredArch, noload, probe, loadMap, force,
                autoclean, quiet, verbose, export, ksymoops, forceKallsyms, numericVersionOnly, lock, prefix, persist,
                release, utsVersion, "/var/lib/modules/persist", List.of());
    }
}
