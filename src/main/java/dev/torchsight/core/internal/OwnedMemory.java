package dev.torchsight.core.internal;

import dev.torchsight.core.Natives;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Native buffers owned by a Java object that frees them in its own {@code close()}. JavaCPP attaches
 * every new pointer to the innermost open {@link PointerScope}; an owner's buffers must outlive the
 * caller's scope, so they are detached from it.
 */
public final class OwnedMemory {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private OwnedMemory() {}

    /** Detaches {@code p} from the current scope (if any) and returns it; the caller must close it. */
    public static <P extends Pointer> P owned(P p) {
        PointerScope scope = PointerScope.getInnerScope();
        if (scope != null) {
            p.retainReference();  // detach() releases the scope's reference; keep ours so close() frees it
            scope.detach(p);
        }
        return p;
    }
}
