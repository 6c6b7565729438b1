package dev.torchsight.cli;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/** JSON helpers for the CLI's reports: numbers that JSON cannot hold become null. */
final class Json {
    private Json() {}

    /** Adds {@code value}, or null when it is NaN or infinite (JSON has no such numbers). */
    static void number(JsonObject o, String key, double value) {
        if (Double.isFinite(value)) {
            o.addProperty(key, value);
        } else {
            o.add(key, JsonNull.INSTANCE);
        }
    }
}
