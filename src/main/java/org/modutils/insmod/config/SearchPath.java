package org.modutils.insmod.config;

/**
 * One entry of the module search list: a directory and its tag ({@code path[tag]=dir}), e.g.
 * {@code boot}, {@code toplevel}, {@code misc}. The tag matters to the search only through
 * the {@code <dir>/<tag>/<name>} guess.
 *
 * @param type the tag
 * @param dir  the directory as text, exactly as it will be printed
 */
public record SearchPath(String type, String dir) {}
