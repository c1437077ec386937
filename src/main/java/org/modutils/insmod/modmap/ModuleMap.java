package org.modutils.insmod.modmap;

import java.util.List;

/**
 * A module's load map: where each loaded section and each symbol lies in the target kernel.
 *
 * @param wordBits 32 or 64: the width addresses are printed in
 * @param rules the kernel layout the addresses not given were derived with
 * @param release the release those rules were chosen for (null: unknown)
 */
public record ModuleMap(String fileName, int wordBits, LayoutRules rules, String release, List<Section> sections,
                        List<Symbol> symbols) {

    /** How a section's address was found. */
    public enum Source {
        /** Given (from the sections directory). */
        GIVEN,
        /** Derived from a given section in the same allocation, by the kernel's layout rules. */
        DERIVED,
        /** No section of its allocation was given: a fixed dummy base plus its offset. */
        DUMMY
    }

    /**
     * A loaded section.
     *
     * @param unit the allocation it lies in ("core", "init", "text", ..., "percpu")
     */
    public record Section(String name, long size, long address, long align, String unit, Source source) {}

    /**
     * A symbol, with the letter /proc/kallsyms would give it (upper case when the module exports it).
     *
     * @param section the name of its section ("" for an absolute symbol)
     */
    public record Symbol(long address, char type, String name, String section) {}

    public ModuleMap {
        sections = List.copyOf(sections);
        symbols = List.copyOf(symbols);
    }

    /** The section named {@code name}, or null. */
    public Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The gdb command that loads the module's symbols at these addresses: {@code .text} as the
     * positional address, every other section (but the kernel's symbol and string tables) with
     * {@code -s}. {@code objectFile} is the uncompressed module gdb is to read.
     */
    public String gdbCommand(String objectFile) {
        StringBuilder b = new StringBuilder("add-symbol-file ").append(objectFile);
        Section text = section(".text");
        if (text != null) {
            b.append(" 0x").append(Long.toHexString(text.address()));
        }
        for (Section s : sections) {
            if (s == text || s.name().equals(".symtab") || s.name().equals(".strtab")) {
                continue;
            }
            b.append(" -s ").append(s.name()).append(" 0x").append(Long.toHexString(s.address()));
        }
        return b.toString();
    }
}
