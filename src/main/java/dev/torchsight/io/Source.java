package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;

/**
 * What a reader is reading and for which purpose: the name that starts every message, and the
 * {@link Kind} its errors carry (vectors are {@link Kind#INPUT}, labels {@link Kind#LABELS}, class
 * names {@link Kind#CLASS_NAMES}).
 *
 * @param name the file name (or a description of in-memory bytes)
 * @param kind the kind every error about this input carries
 */
record Source(String name, Kind kind) {
    /** An error about this input: {@code "<name>: <message>"}, with the offending value. */
    TorchsightException error(Object value, String message) {
        return new TorchsightException(kind, value, name + ": " + message);
    }

    /** The same, with the underlying cause. */
    TorchsightException error(Object value, String message, Throwable cause) {
        return new TorchsightException(kind, value, name + ": " + message, cause);
    }
}
