package org.modutils.insmod.config;

import java.util.ArrayList;
import java.util.List;

/** Collects what the code under test reports, by kind. */
final class RecordingMessages extends RelayMessages {
    final List<String> errors;
    final List<String> infos;
    final List<String> warnings;

    RecordingMessages() {
        this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    private RecordingMessages(List<String> errors, List<String> infos, List<String> warnings) {
        super(errors::add, infos::add, warnings::add);
        this.errors = errors;
        this.infos = infos;
        this.warnings = warnings;
    }

    boolean silent() {
        return errors.isEmpty() && infos.isEmpty() && warnings.isEmpty();
    }
}
