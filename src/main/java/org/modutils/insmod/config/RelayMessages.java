package org.modutils.insmod.config;

import java.util.function.Consumer;

import org.modutils.insmod.report.Relay;

/** {@link Messages#of}: a {@link Relay} under the module search's name. */
class RelayMessages extends Relay implements Messages {
    RelayMessages(Consumer<String> error, Consumer<String> info, Consumer<String> warning) {
        super(error, info, warning);
    }
}
