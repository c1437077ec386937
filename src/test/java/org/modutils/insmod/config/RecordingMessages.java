package org.modutils.insmod.config;

import java.util.ArrayList;
import java.util.List;

/** Collects what the code under test reports, by kind. */
final class RecordingMessages implements Messages {
    final List<String> errors = new ArrayList<>();
    final List<String> infos = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    @Override
    public void error(String text) {
        errors.add(text);
    }

    @Override
    public void info(String text) {
        infos.add(text);
    }

    @Override
    public void warning(String text) {
        warnings.add(text);
    }

    boolean silent() {
        return errors.isEmpty() && infos.isEmpty() && warnings.isEmpty();
    }
}
