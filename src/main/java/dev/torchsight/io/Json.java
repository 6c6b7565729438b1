package dev.torchsight.io;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/** JSON helpers for reports: numbers that JSON cannot hold become null. */
public final class Json {
    private Json() {}

    /** Adds {@code value}, or null when it is NaN or infinite (JSON has no such numbers). */
    public static void number(JsonObject o, String key, double value) {
        if (Double.isFinite(value)) {
            o.addProperty(key, value);
        } else {
            o.add(key, JsonNull.INSTANCE);
        }
    }
}
