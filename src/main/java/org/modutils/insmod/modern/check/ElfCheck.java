package org.modutils.insmod.modern.check;

import java.nio.ByteOrder;
import org.modutils.insmod.modern.KoFile;

/**
 * The ELF checks of the kernel's load_module (elf_validity_*), in its order, on the module as the
 * kernel sees it (signature removed). The first defect stops the check, as it stops the kernel;
 * the message starts with the kernel's own words (what dmesg shows), then what it means.
 */
final class ElfCheck extends ImageWords {
    private static final int SHT_NULL = 0, SHT_SYMTAB = 2, SHT_NOBITS = 8;
    private static final long SHF_ALLOC = 2;

    private final boolean is64;
    private final int[] want; // {machine, class} the kernel needs, or null
    private final long thisModuleSize; // sizeof(struct module) of the kernel, or -1

    private ElfCheck(byte[] d, int[] want, long thisModuleSize) {
        // the kernel reads the header with its own layout; unknown kernel: the file's own class
        super(d, want != null ? ByteOrder.LITTLE_ENDIAN : d.length > 5 && d[5] == 2 ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN);
        this.want = want;
        this.thisModuleSize = thisModuleSize;
        this.is64 = want != null ? want[1] == 64 : d.length > 4 && d[4] == 2;
    }

    /** Null when the kernel would accept the ELF structure, else the one error. */
    static Finding check(byte[] image, String machine, long thisModuleSize) {
        ElfCheck c = new ElfCheck(image, KoFile.expectedFor(machine), thisModuleSize);
        String e;
        try {
            e = c.run(machine);
        } catch (IndexOutOfBoundsException x) {
            e = "Invalid ELF section in module -- a table lies outside the file: truncated or damaged";
        }
        return e == null ? null : Finding.error("elf", e);
    }

    private String run(String machine) {
        int ehdr = is64 ? 64 : 52;
        if (d.length < ehdr) return "Invalid ELF header len " + d.length + " -- the file is " + d.length
                + " bytes, shorter than an ELF header (" + ehdr + "): not a module, or truncated";
        if (d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F')
            return "Invalid ELF header magic: != \\177ELF -- not an ELF file, so not a kernel module";
        if (u16(16) != 1)
            return "Invalid ELF header type: " + u16(16) + " != 1 -- not a relocatable object: a module is a .ko"
                    + " built by the kernel's build system, not a program or library";
        if (want != null && !archOk(u16(18)))
            return "Invalid architecture in ELF header: " + u16(18) + " -- the module is for "
                    + KoFile.machineName(u16(18)) + ", this kernel (" + machine + ") loads "
                    + KoFile.machineName(want[0]) + ": rebuild it for this machine";
        if (want != null && d[4] != (want[1] == 64 ? 2 : 1))
            return "Invalid ELF section header size -- the module is a " + (d[4] == 2 ? 64 : 32)
                    + "-bit ELF file, this kernel loads " + want[1] + "-bit modules";
        int shsize = is64 ? 64 : 40;
        if (u16(is64 ? 58 : 46) != shsize) return "Invalid ELF section header size -- e_shentsize is "
                + u16(is64 ? 58 : 46) + ", not " + shsize + ": the file is damaged";
        long shoff = is64 ? u64(40) : u32(32);
        int shnum = u16(is64 ? 60 : 48);
        if (Long.compareUnsigned(shoff, d.length) >= 0 || (long) shnum * shsize > d.length - shoff)
            return "Invalid ELF section header overflow -- the section table lies beyond the end of the file"
                    + " (" + d.length + " bytes): the file is truncated or damaged";
        long[][] sh = new long[shnum][];
        for (int i = 0; i < shnum; i++) sh[i] = header(shoff + (long) i * shsize);
        if (shnum == 0 || sh[0][1] != SHT_NULL || sh[0][4] != 0 || sh[0][3] != 0)
            return "ELF Spec violation: section 0 type(" + (shnum == 0 ? 0 : sh[0][1])
                    + ")!=SH_NULL or non-zero len or addr -- the file is damaged";
        for (int i = 1; i < shnum; i++) {
            if (sh[i][1] == SHT_NULL || sh[i][1] == SHT_NOBITS) continue;
            long end = sh[i][5] + sh[i][4];
            if (Long.compareUnsigned(end, sh[i][5]) < 0 || Long.compareUnsigned(end, d.length) > 0)
                return "Invalid ELF section in module (section " + i + " type " + sh[i][1] + ") -- its contents"
                        + " lie beyond the end of the file (" + d.length + " bytes): truncated or damaged";
        }
        return names(sh, shnum);
    }

    private boolean archOk(int em) {
        if (em == want[0]) return true;
        return want[0] == KoFile.EM_386 && em == 6; // EM_486
    }

    private String names(long[][] sh, int shnum) {
        int shstrndx = u16(is64 ? 62 : 50);
        if (shstrndx == 0 || shstrndx >= shnum)
            return "Invalid ELF section name index: " + shstrndx + " || e_shstrndx (" + shstrndx + ") >= e_shnum ("
                    + shnum + ") -- the file is damaged";
        long[] str = sh[shstrndx];
        if (str[4] == 0) return "empty section name table -- the file is damaged";
        if (d[(int) (str[5] + str[4] - 1)] != 0)
            return "ELF Spec violation: section name table isn't null terminated -- the file is damaged";
        String[] name = new String[shnum];
        for (int i = 0; i < shnum; i++) {
            if (sh[i][1] == SHT_NULL) {
                name[i] = "";
                continue;
            }
            if (sh[i][0] >= str[4]) return "Invalid ELF section name in module (section " + i + " type " + sh[i][1]
                    + ") -- the file is damaged";
            name[i] = cstring((int) (str[5] + sh[i][0]));
        }
        return indices(sh, name);
    }

    private String indices(long[][] sh, String[] name) {
        int modinfo = 0, mod = 0, mods = 0, symtabs = 0, sym = 0;
        for (int i = 1; i < sh.length; i++) {
            if (name[i].equals(".modinfo")) modinfo++;
            if (name[i].equals(".gnu.linkonce.this_module")) {
                mods++;
                mod = i;
            }
            if (sh[i][1] == SHT_SYMTAB) {
                symtabs++;
                sym = i;
            }
        }
        if (modinfo > 1) return "Only one .modinfo section must exist. -- the file is damaged";
        if (mods != 1) return "Exactly one .gnu.linkonce.this_module section"
                + " must exist. -- not a module built by the kernel's build system (modpost adds it)";
        if (sh[mod][1] == SHT_NOBITS) return "module: .gnu.linkonce.this_module section must have a size set";
        if ((sh[mod][2] & SHF_ALLOC) == 0)
            return "module: .gnu.linkonce.this_module must occupy memory during process execution";
        if (thisModuleSize >= 0 && sh[mod][4] != thisModuleSize)
            return "module: .gnu.linkonce.this_module section size must match the kernel's built struct module size"
                    + " at run time -- it is " + sh[mod][4] + " bytes, this kernel's is " + thisModuleSize
                    + ": the module was built for another kernel; rebuild it against this kernel's headers";
        if (symtabs != 1) return "module has no symbols (stripped?) -- a module needs its symbol table: do not strip"
                + " it with --strip-all (--strip-debug is fine)";
        int str = (int) sh[sym][6];
        if (str == 0 || str >= sh.length)
            return "Invalid ELF sh_link!=SHN_UNDEF(" + str + ") or (sh_link(" + str + ") >= hdr->e_shnum("
                    + sh.length + ") -- the file is damaged";
        return strtab(sh[sym], sh[str]);
    }

    private String strtab(long[] sym, long[] str) {
        if (str[4] == 0) return "empty symbol string table -- the file is damaged";
        if (d[(int) str[5]] != 0) return "symbol string table missing leading NUL -- the file is damaged";
        if (d[(int) (str[5] + str[4] - 1)] != 0) return "symbol string table isn't NUL terminated -- the file is damaged";
        int esz = is64 ? 24 : 16;
        for (long at = sym[5]; at + esz <= sym[5] + sym[4]; at += esz)
            if (u32(at) >= str[4]) return "symbol name out of bounds in string table -- the file is damaged";
        return null;
    }

    /** {name, type, flags, addr, size, offset, link} of the section header at {@code at}. */
    private long[] header(long at) {
        return is64 ? new long[] {u32(at), u32(at + 4), u64(at + 8), u64(at + 16), u64(at + 32), u64(at + 24), u32(at + 40)}
                : new long[] {u32(at), u32(at + 4), u32(at + 8), u32(at + 12), u32(at + 20), u32(at + 16), u32(at + 24)};
    }

    private String cstring(int from) {
        int end = from;
        while (end < d.length && d[end] != 0) end++;
        return new String(d, from, end - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

}
