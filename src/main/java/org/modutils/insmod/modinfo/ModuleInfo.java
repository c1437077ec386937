package org.modutils.insmod.modinfo;

import java.util.List;

/**
 * What kmod's modinfo shows for one 2.6+ module: its file name (absolute, as libkmod makes it;
 * "(builtin)" for a module built into the kernel), its name, and the fields in kmod's order:
 * the {@code .modinfo} strings in file order, then the signature fields.
 */
public record ModuleInfo(String filename, String name, boolean builtin, List<Field> fields) {
    public ModuleInfo {
        fields = List.copyOf(fields);
    }
}
