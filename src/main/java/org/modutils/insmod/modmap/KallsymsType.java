package org.modutils.insmod.modmap;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;

/**
 * The type letter the kernel gives a module symbol (kernel/module/kallsyms.c elf_type, "as per
 * nm"), judged on the section flags as the kernel has edited them before loading. ARCH_SHF_SMALL
 * is 0 on every architecture but ia64, so 'g' and 's' do not occur.
 */
final class KallsymsType {
    private KallsymsType() {}

    static char of(ElfFile elf, KernelLayout layout, int info, int shndx) {
        if (stBind(info) == STB_WEAK) {
            return stType(info) == STT_OBJECT ? 'v' : 'w';
        }
        if (shndx == SHN_UNDEF) {
            return 'U';
        }
        if (shndx == SHN_ABS || (layout.percpu() != 0 && shndx == layout.percpu())) {
            return 'a';
        }
        if (shndx >= SHN_LORESERVE || shndx >= elf.sectionCount()) {
            return '?';
        }
        ElfSection s = elf.section(shndx);
        long flags = layout.flags(shndx);
        if ((flags & SHF_EXECINSTR) != 0) {
            return 't';
        }
        if ((flags & SHF_ALLOC) != 0 && s.type() != SHT_NOBITS) {
            return (flags & SHF_WRITE) == 0 ? 'r' : 'd';
        }
        if (s.type() == SHT_NOBITS) {
            return 'b';
        }
        return s.name().startsWith(".debug") ? 'n' : '?';
    }
}
