package org.modutils.insmod.modinfo;

/** One modinfo field. Keys and values are ISO-8859-1 strings, so each char is one byte of the module. */
public record Field(String key, String value) {}
