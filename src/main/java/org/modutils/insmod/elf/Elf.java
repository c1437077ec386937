package org.modutils.insmod.elf;

/** ELF constants used by the reader and the linker. */
public final class Elf {
    private Elf() {}

    public static final int ELFCLASS32 = 1, ELFCLASS64 = 2;
    public static final int ELFDATA2LSB = 1, ELFDATA2MSB = 2;
    public static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;

    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
            SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9, SHT_LOPROC = 0x70000000;
    public static final int SHT_GNU_ATTRIBUTES = 0x6ffffff5;

    public static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;

    public static final int SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2,
            SHN_HIRESERVE = 0xffff;

    public static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    public static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;

    public static int stBind(int info) {
        return (info >> 4) & 0xf;
    }

    public static int stType(int info) {
        return info & 0xf;
    }

    public static int stInfo(int bind, int type) {
        return (bind << 4) + (type & 0xf);
    }

    public static final int EM_SPARC = 2, EM_386 = 3, EM_68K = 4, EM_MIPS = 8, EM_MIPS_RS3_LE = 10, EM_PARISC = 15,
            EM_SPARC32PLUS = 18, EM_PPC = 20, EM_PPC64 = 21, EM_S390 = 22, EM_ARM = 40, EM_SH = 42, EM_SPARCV9 = 43,
            EM_IA_64 = 50, EM_X86_64 = 62, EM_ALPHA = 0x9026, EM_S390_OLD = 0xa390;
}
