package org.modutils.insmod.modinfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.deps.ModuleFacts;
import org.modutils.insmod.modern.KoFile;

/**
 * A module's symbol versions as libkmod lists them for modprobe --show-modversions
 * (kmod_module_get_versions: the {@code __versions} entries) and --show-exports
 * (kmod_module_get_symbols: the {@code __crc_} symbols, or else the {@code __ksymtab_strings}
 * with CRC 0). Failures carry the errno kmod 30 reports: ENOEXEC (not ELF), EINVAL (a broken
 * header or table), ENOENT (no such section).
 */
public final class ModuleVersions {
    /** A symbol and its CRC. */
    public record Crc(long crc, String symbol) {}

    private static final int VERLEN = 64;

    private ModuleVersions() {}

    /** The {@code __versions} entries in file order (a PowerPC '.' before a name dropped). */
    public static List<Crc> versions(byte[] module) throws ModinfoException {
        KmodElf elf = elf(module);
        long[] s = elf.section("__versions");
        if (s == null) throw new ModinfoException(KmodElf.ENOENT);
        if (s[1] % VERLEN != 0) throw new ModinfoException(KmodElf.EINVAL);
        int crclen = elf.is32() ? 4 : 8;
        List<Crc> out = new ArrayList<>();
        for (long at = s[0]; at < s[0] + s[1]; at += VERLEN) {
            int from = (int) at + crclen;
            int end = from;
            while (end < at + VERLEN && module[end] != 0) end++;
            if (end > from && module[from] == '.') from++;
            out.add(new Crc(elf.value(at, crclen), new String(module, from, end - from, StandardCharsets.ISO_8859_1)));
        }
        return out;
    }

    /** The symbols the module exports, with their CRCs. */
    public static List<Crc> exports(byte[] module) throws ModinfoException {
        KmodElf elf = elf(module);
        ModuleFacts facts;
        try {
            facts = ModuleFacts.read(module);
        } catch (KoFile.BadModuleException e) {
            throw new ModinfoException(KmodElf.EINVAL);
        }
        if (facts.exportError() != null) throw new ModinfoException(KmodElf.EINVAL);
        if (facts.exports().isEmpty() && elf.section("__ksymtab_strings") == null) throw new ModinfoException(KmodElf.ENOENT);
        List<Crc> out = new ArrayList<>();
        for (ModuleFacts.Symbol sym : facts.exports()) out.add(new Crc(sym.crc(), sym.name()));
        return out;
    }

    private static KmodElf elf(byte[] module) throws ModinfoException {
        try {
            return new KmodElf(module);
        } catch (KmodElf.Failure f) {
            throw new ModinfoException(f.errno);
        }
    }
}
