package org.modutils.insmod.module;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** strerror-style text for Java I/O failures, as %m would print them. */
public final class IoErrors {
    private IoErrors() {}

    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        String m = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (m == null) {
            return "Input/output error";
        }
        if (m.contains("Is a directory")) {
            return "Is a directory";
        }
        if (m.contains("Read-only file system")) {
            return "Read-only file system";
        }
        if (m.contains("No space left")) {
            return "No space left on device";
        }
        int colon = m.lastIndexOf(": ");
        return colon >= 0 && colon + 2 < m.length() ? m.substring(colon + 2) : m;
    }
}
