package dev.torchsight.core;

/** Loads libtorch through the one native gate; kept for the classes that call it by this name. */
public final class Torch {
    private Torch() {}

    /** Same as {@link Natives#ensureLoaded()}. */
    public static void ensureLoaded() {
        Natives.ensureLoaded();
    }
}
