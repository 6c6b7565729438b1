package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Captures the output of one named submodule during the model's normal forward pass; the captured
 * tensor is the leaf from which autograd records, so the gradient of any later score with respect to
 * it is computed from the score back to the tap only. Obtain one with {@link Model#tap(String)}.
 *
 * <p>The captured value is stored on the model, so it belongs to the model's last forward pass,
 * whichever thread ran it. {@link #run} is the thread-safe way to use a tap: it holds the model for
 * the forward pass and the work on its result.
 */
public final class LayerTap {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final String name;
    private final Model model;

    LayerTap(String name, Model model) {
        this.name = name;
        this.model = model;
    }

    /** What to do with one forward pass; see {@link #run}. */
    @FunctionalInterface
    public interface Pass<T> {
        /**
         * @param output the model's output (class scores)
         * @param layerOutput the tapped layer's output in the same pass
         */
        T use(Tensor output, Tensor layerOutput);
    }

    /** The dotted path of the tapped submodule. */
    public String name() {
        return name;
    }

    /** The model this tap belongs to. */
    public Model model() {
        return model;
    }

    /**
     * Runs the model on {@code batch} and hands its output and this layer's output from that same pass
     * to {@code work}, while no other thread can use the model (calls on one model are serialised);
     * returns what {@code work} returns. Gradient recording follows the caller's grad mode, so
     * {@code work} may differentiate a score with respect to {@code layerOutput}. Native objects created
     * during the call, the two tensors included, are freed when it returns: {@code work} returns Java
     * values, or copies into tensors the caller opened before.
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the forward pass did not run this layer
     */
    public <T> T run(Tensor batch, Pass<T> work) {
        model.lock().lock();
        try (PointerScope scope = new PointerScope()) {
            clear();
            Tensor output = model.forward(batch);
            Tensor layerOutput = value();
            clear();  // the model keeps no reference to this pass's tensors
            return work.use(output, layerOutput);
        } finally {
            model.lock().unlock();
        }
    }

    /**
     * The submodule's output in the model's last forward pass (a tensor that is the caller's). With
     * several threads on one model use {@link #run} instead: another thread's pass may come between.
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the last pass did not run this layer
     */
    public Tensor value() {
        model.lock().lock();
        try {
            Tensor t = GraphTap.lastValue(model.submodule(name));
            if (t == null) {
                throw new TorchsightException(Kind.LAYER, name, "layer " + name + " did not run in the last forward "
                        + "pass; pick a layer the model's forward uses");
            }
            return t;
        } finally {
            model.lock().unlock();
        }
    }

    /** Drops the stored output (so it is not kept alive between calls). */
    public void clear() {
        model.lock().lock();
        try {
            GraphTap.clear(model.submodule(name));
        } finally {
            model.lock().unlock();
        }
    }
}
