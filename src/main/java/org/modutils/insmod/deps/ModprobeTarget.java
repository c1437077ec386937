package org.modutils.insmod.deps;

/**
 * A module as modprobe handles it (libkmod's struct kmod_module): its name, its file (absolute,
 * or null for a built-in module or a name that only has an install/remove command), whether
 * it was found through an alias, and whether it is built into the kernel.
 */
public record ModprobeTarget(String name, String path, boolean viaAlias, boolean builtin) {}
