package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.link.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.Endian;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;

/**
 * modutils' kallsyms: from a linked kernel (vmlinux, ET_EXEC) an ELF relocatable object holding
 * only a {@code __kallsyms} section (every symbol of the loaded sections, as insmod -S builds it
 * for a module), for linking into a kernel image. Layout as the original wrote it: the input's
 * ELF header made ET_REL without program headers, three section headers (null, {@code .strtab}
 * holding "\0__kallsyms\0", {@code __kallsyms} aligned to 4), then the two sections' data.
 */
public final class KallsymsObject {
    private KallsymsObject() {}

    /** The object for the kernel in {@code data} ({@code name} labels messages). */
    public static byte[] build(String name, byte[] data) throws ElfException {
        ElfFile elf = ElfFile.parse(name, data);
        Target t = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
        if (t == null) {
            throw new ElfException("ELF file " + name + " not for this architecture");
        }
        ObjFile f = ObjLoader.loadExecutable(elf, t);
        byte[] kallsyms = Kallsyms.build(f);
        boolean w = elf.is64(), be = elf.bigEndian();
        int ehsize = w ? 64 : 52, shentsize = w ? 64 : 40;
        byte[] strtab = {0, '_', '_', 'k', 'a', 'l', 'l', 's', 'y', 'm', 's', 0};
        long strOff = ehsize + 3L * shentsize;
        long symOff = (strOff + strtab.length + 3) & ~3L;
        byte[] out = new byte[(int) (symOff + kallsyms.length)];
        System.arraycopy(data, 0, out, 0, 16);                  // e_ident as the kernel's
        Endian.put16(out, 16, ET_REL, be);
        Endian.put16(out, 18, elf.machine(), be);
        Endian.put32(out, 20, Endian.u32(data, 20, be), be);    // e_version
        int p = 24;
        p = word(out, p, 0, w, be);                             // e_entry
        p = word(out, p, 0, w, be);                             // e_phoff
        p = word(out, p, ehsize, w, be);                        // e_shoff
        Endian.put32(out, p, elf.flags(), be);
        Endian.put16(out, p + 4, ehsize, be);
        Endian.put16(out, p + 6, 0, be);                        // e_phentsize
        Endian.put16(out, p + 8, 0, be);                        // e_phnum
        Endian.put16(out, p + 10, shentsize, be);
        Endian.put16(out, p + 12, 3, be);                       // e_shnum
        Endian.put16(out, p + 14, 1, be);                       // e_shstrndx: .strtab
        section(out, ehsize + shentsize, w, be, 0, SHT_STRTAB, 0, strOff, strtab.length, 0);
        section(out, ehsize + 2 * shentsize, w, be, 1, SHT_PROGBITS, SHF_ALLOC, symOff, kallsyms.length, 4);
        System.arraycopy(strtab, 0, out, (int) strOff, strtab.length);
        System.arraycopy(kallsyms, 0, out, (int) symOff, kallsyms.length);
        return out;
    }

    private static int word(byte[] b, int off, long v, boolean w, boolean be) {
        Endian.putWord(b, off, w ? 8 : 4, v, be);
        return off + (w ? 8 : 4);
    }

    /** An Elf32_Shdr / Elf64_Shdr with no address, link, info or entry size. */
    private static void section(byte[] b, int off, boolean w, boolean be, int name, int type, long flags,
                                long offset, long size, long align) {
        Endian.put32(b, off, name, be);
        Endian.put32(b, off + 4, type, be);
        int p = word(b, off + 8, flags, w, be);
        p = word(b, p, 0, w, be);                               // sh_addr
        p = word(b, p, offset, w, be);
        p = word(b, p, size, w, be);
        Endian.put32(b, p, 0, be);                              // sh_link
        Endian.put32(b, p + 4, 0, be);                          // sh_info
        p = word(b, p + 8, align, w, be);
        word(b, p, 0, w, be);                                   // sh_entsize
    }
}
