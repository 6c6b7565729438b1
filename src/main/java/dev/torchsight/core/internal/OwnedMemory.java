package dev.torchsight.core.internal;

import dev.torchsight.core.Natives;
import java.util.Iterator;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The two moves of torchsight's ownership rule (see the {@code dev.torchsight.core} package docs).
 * JavaCPP attaches every new native object to the innermost open {@link PointerScope} of the thread
 * that creates it and frees it when that scope has released it and nobody else holds a reference.
 * A library method runs in a {@link CallScope}, which frees its temporaries and hands its results to
 * the caller's scope; an owner (a {@code Model}) keeps what it opened with {@link #owned} and frees it
 * in its own {@code close()}.
 *
 * <p>Both work with JavaCPP's reference counts and never with {@code PointerScope.detach}, which
 * releases a reference even for a pointer the scope does not hold.
 */
public final class OwnedMemory {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private OwnedMemory() {}

    /**
     * Takes a reference to {@code p} for an owner that frees it in its own {@code close()}: a scope
     * that holds {@code p} no longer frees it on its own. Returns {@code p}.
     */
    public static <P extends Pointer> P owned(P p) {
        p.retainReference();
        return p;
    }

    /**
     * The scope of one library call; see {@link CallScope}.
     *
     * <pre>{@code
     * try (OwnedMemory.CallScope call = OwnedMemory.call()) {
     *     Tensor tmp = ...;                 // freed when the call returns
     *     return call.result(tmp.mul(2));   // the caller's
     * }
     * }</pre>
     */
    public static CallScope call() {
        return new CallScope();
    }

    /**
     * Native objects created while a call scope is open are freed when it closes, except those passed
     * through {@link #result}: they go to the caller's innermost scope (the one open when the call
     * scope was opened) and are freed with it, or, when the caller has none, to the caller alone, who
     * closes them.
     */
    public static final class CallScope implements AutoCloseable {
        private final PointerScope own = new PointerScope();

        private CallScope() {}

        /** Hands {@code p} to the caller and returns it. */
        public <P extends Pointer> P result(P p) {
            // The caller's scope is the innermost one outside this call's own that takes p's class
            // (JavaCPP picks a new pointer's scope the same way).
            boolean outside = false;
            for (Iterator<PointerScope> it = PointerScope.getScopeIterator(); it.hasNext(); ) {
                PointerScope scope = it.next();
                if (outside) {
                    try {
                        scope.attach(p);  // one more reference, released when the caller's scope closes
                        return p;
                    } catch (IllegalArgumentException notForThisClass) {
                        // a scope restricted to other classes: try the next one out
                    }
                } else if (scope == own) {
                    outside = true;
                }
            }
            p.retainReference();  // one more reference, released by the caller's close()
            return p;  // this call's own scope releases its reference when it closes
        }

        /** Frees every native object created in this call except its results. */
        @Override
        public void close() {
            own.close();
        }
    }
}
