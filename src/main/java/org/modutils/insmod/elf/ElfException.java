package org.modutils.insmod.elf;

/** The file is not an ELF object we can read; the message is one line, without the file name. */
public final class ElfException extends Exception {
    public ElfException(String message) {
        super(message);
    }
}
