package org.modutils.insmod.link;

/** What applying one relocation came to (modutils' enum obj_reloc). */
public enum RelocResult {
    OK(null),
    OVERFLOW("Relocation overflow"),
    DANGEROUS("Dangerous relocation"),
    UNHANDLED("Unhandled relocation"),
    CONSTANT_GP("Modules compiled with -mconstant-gp cannot be loaded");

    public final String message;

    RelocResult(String message) {
        this.message = message;
    }
}
