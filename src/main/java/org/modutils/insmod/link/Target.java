package org.modutils.insmod.link;

import org.modutils.insmod.report.UserError;


/**
 * One architecture of the 2.4 userspace linker: what modutils' obj_<arch>.c does. A fresh
 * instance serves one link, so it may keep per-object state (GOT, PLT, stubs).
 */
public interface Target {
    /** The modutils name of the architecture (i386, x86_64, arm, ...). */
    String name();

    /** True when this target links objects with this ELF machine, class and byte order. */
    boolean accepts(int machine, boolean is64, boolean bigEndian);

    boolean is64();

    boolean bigEndian();

    /** True for RELA objects, false for REL. */
    boolean rela();

    /** sizeof(long) and pointers on the target. */
    default int wordSize() {
        return is64() ? 8 : 4;
    }

    /** sizeof(struct module) on the target. */
    default int moduleStructSize() {
        return is64() ? 0xb8 : 0x60;
    }

    /** True where struct module has the alpha gp field after ex_table_end. */
    default boolean moduleHasGp() {
        return false;
    }

    /** Section flag of GP-relative ("short") sections on alpha and ia64; 0 elsewhere. */
    default long shortSectionFlag() {
        return 0;
    }

    /** Whether insmod exports every global of a module without __ksymtab (not on descriptor ABIs). */
    default boolean exportAllByDefault() {
        return true;
    }

    /**
     * A processor-specific section (sh_type >= SHT_LOPROC) this target refuses: the error message
     * (without the file name), or null to accept it (then {@link #loadProcSection} decides).
     */
    /** The psABI name of relocation {@code type} (R_ARM_CALL), for our own messages. */
    default String relocName(int type) {
        return "type " + type;
    }

    default String procSectionError(LinkSection sec) {
        return null;
    }

    /** A processor-specific section (sh_type >= SHT_LOPROC) was read: keep or drop its contents. */
    default void loadProcSection(LinkSection sec) {
        sec.setContents(null);
    }

    /**
     * High address bits the kernel does not report to a 32-bit insmod, ORed into a module
     * address (the create_module result and each .kmodtab dependency): ppc64's module region.
     */
    default long moduleAddressBits(ObjFile f) {
        return 0;
    }

    /**
     * The kernel's exported symbols as insmod read them (modstat's ksyms), as a lookup by name
     * (null when absent), handed over before the object is linked, for architectures that take
     * a value from them (hppa's dp from $global$).
     */
    default void useKernelSymbols(java.util.function.Function<String, Long> kernelSymbol) {}

    /**
     * arch_create_got: size the GOT, PLT or stubs from the relocations (through {@link SlotPass});
     * create their sections. By default there are none (m68k, mips, sparc, sparc64).
     */
    default void createGot(ObjFile f) throws UserError {}

    /** Applies one relocation; {@code value} is the symbol's final value plus the RELA addend. */
    RelocResult apply(ObjFile f, Reloc r, long value);

    /** arch_finalize_section_address: places every section at base plus its offset. */
    default void finalizeSectionAddresses(ObjFile f, long base) throws UserError {
        f.baseaddr = base;
        for (LinkSection s : f.sections()) {
            s.addr = f.mask(s.addr + base);
        }
    }

    /** arch_archdata: fills __archdata; a failure (hppa without $global$) ends the run. */
    default void archdata(ObjFile f, LinkSection sec) throws UserError {}

    /** arch_init_module: last touches to struct module (at {@code moduleOffset} in .this). */
    default boolean initModule(ObjFile f, LinkSection thisSection) {
        return true;
    }
}
