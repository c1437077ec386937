package org.modutils.insmod.deps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The files depmod produces, by name, in the order kmod writes them. */
public record DepmodResult(Map<String, byte[]> files) {
    public DepmodResult {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }
}
