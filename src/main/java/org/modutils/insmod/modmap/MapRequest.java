package org.modutils.insmod.modmap;

import java.util.Map;

/**
 * What a load map is made from: the module as read from its file (compressed or not),
 * the section addresses known (from a copy of /sys/module/NAME/sections; empty for none) and
 * the target kernel's release (null: the one the module's vermagic names).
 *
 * @param fileName the module's name as the user gave it, for messages and the gdb line
 */
public record MapRequest(String fileName, byte[] module, Map<String, Long> addresses, String release) {
    public MapRequest {
        addresses = Map.copyOf(addresses);
    }
}
