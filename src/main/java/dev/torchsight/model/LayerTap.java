package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Captures the output of one named submodule during the model's normal forward pass; the captured
 * tensor is the leaf from which autograd records, so the gradient of any later score with respect to
 * it is computed from the score back to the tap only. Obtain one with {@link Model#tap(String)}.
 *
 * <p>Two values are kept per pass: the module's own output ({@link Values#output()}, what a forward
 * hook sees when the module returns, and what gradients are taken with respect to), and the values
 * the model left in that tensor by the end of the pass ({@link Values#finalValues()}: different only
 * when the model changes the output in place afterwards, e.g. {@code out += identity} or
 * {@code ReLU(inplace=True)}).
 *
 * <p>The captured values are stored on the model, so they belong to the model's last forward pass,
 * whichever thread ran it. {@link #run} and {@link #runAll} are the thread-safe way to use taps: they
 * hold the model for the forward pass and the work on its result.
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

    /** What to do with one forward pass over several taps; see {@link #runAll}. */
    @FunctionalInterface
    public interface MultiPass<T> {
        /**
         * @param output the model's whole output
         * @param values each tap's values in the same pass, in the order of the taps
         */
        T use(ModelOutput output, List<Values> values);
    }

    /**
     * One tapped layer's values in one pass.
     *
     * @param output the module's output as it returned it (the gradient leaf)
     * @param finalValues the same tensor's values at the end of the pass (after any in-place change)
     */
    public record Values(Tensor output, Tensor finalValues) { }

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
        return runAll(List.of(this), batch, (output, values) -> work.use(output.scores(), values.get(0).output()));
    }

    /**
     * Like {@link #run} for several taps of one model in one forward pass; {@code work} also sees the
     * model's whole output (tuple and dict outputs included). The model stays held while {@code work}
     * runs, so {@code work} may run the model again (the lock is reentrant).
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the forward pass did not run a layer
     */
    public static <T> T runAll(List<LayerTap> taps, Tensor batch, MultiPass<T> work) {
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("no taps");
        }
        return runAll(taps.get(0).model, taps, batch, work);
    }

    /** {@link #runAll(List, Tensor, MultiPass)} on {@code model}, whose taps may be none. */
    public static <T> T runAll(Model model, List<LayerTap> taps, Tensor batch, MultiPass<T> work) {
        model.lock().lock();
        try (PointerScope scope = new PointerScope()) {
            taps.forEach(LayerTap::clear);
            ModelOutput output = model.forwardOutput(batch);
            List<Values> values = new ArrayList<>();
            for (LayerTap tap : taps) {
                if (tap.model != model) {
                    throw new IllegalArgumentException("taps of different models");
                }
                values.add(new Values(tap.value(), GraphTap.lastFinalValue(model.submodule(tap.name))));
            }
            taps.forEach(LayerTap::clear);  // the model keeps no reference to this pass's tensors
            return work.use(output, values);
        } finally {
            model.lock().unlock();
        }
    }

    /**
     * Runs the model on {@code batch} with this layer's output replaced by {@code layerValues} (the
     * layers before it still run on {@code batch}; the ones after it see {@code layerValues}) and returns
     * the output's class scores (the caller's). For re-running only the part of the network after the
     * layer on many variants of its values (Ablation-CAM): {@code batch} may be one image while
     * {@code layerValues} holds many rows, when the layers after it broadcast over the batch.
     *
     * @throws TorchsightException of kind {@link Kind#MODEL} when the forward pass fails
     */
    public Tensor runWithOutput(Tensor batch, Tensor layerValues) {
        model.lock().lock();
        try {
            GraphTap.override(model.submodule(name), layerValues);
            try {
                return model.forward(batch);
            } finally {
                GraphTap.override(model.submodule(name), null);
                clear();
            }
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
