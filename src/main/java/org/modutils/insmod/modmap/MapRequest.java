package org.modutils.insmod.modmap;

import java.util.List;
import java.util.Map;

/**
 * What a load map is made from: the module as read from its file (compressed or not),
 * the section addresses known (from a copy of /sys/module/NAME/sections; empty for none), the
 * target kernel's release (null: the one the module's vermagic names) and the target's
 * /proc/kallsyms lines, whole or the module's own (empty for none: per-cpu symbols then get a
 * dummy base).
 *
 * @param fileName the module's name as the user gave it, for messages and the gdb line
 */
public record MapRequest(String fileName, byte[] module, Map<String, Long> addresses, String release,
                         List<KallsymsTable.Line> kallsyms) {
    public MapRequest {
        addresses = Map.copyOf(addresses);
        kallsyms = List.copyOf(kallsyms);
    }

    public MapRequest(String fileName, byte[] module, Map<String, Long> addresses, String release) {
        this(fileName, module, addresses, release, List.of());
    }
}
