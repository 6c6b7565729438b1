package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Block;
import org.bytedeco.pytorch.BoolType;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.JitNode;
import org.bytedeco.pytorch.SingletonTypePtr;
import org.bytedeco.pytorch.Symbol;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorType;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.Value;
import org.bytedeco.pytorch.ValueArrayRef;
import org.bytedeco.pytorch.global.torch;

/**
 * The one layer-tap mechanism. libtorch has no forward hooks on loaded script modules, so the tapped
 * submodule's {@code forward} graph is rewritten once, before its first run, to end in
 * <pre>
 *   %on = prim::GetAttr[name="_torchsight_tap_on"](%self)
 *   %r = prim::If(%on)
 *     block0:  %t = aten::requires_grad_(%out, true)
 *              prim::SetAttr[name="_torchsight_tap"](%self, %t)
 *              %c = aten::clone(%t)
 *              prim::SetAttr[name="_torchsight_tap_final"](%self, %c)
 *              %v = prim::If(%self._torchsight_override_on)  -&gt; the override tensor, else %c
 *              -&gt; (%v)
 *     block1:  -&gt; (%out)
 *   return (%r)
 * </pre>
 * Why this route: method graphs belong to the class and are looked up at call time (scripted and
 * traced parents both reach a child through {@code prim::CallMethod}), while attributes live in each
 * instance; the per-instance flag confines the work to the tapped instances when others share the class.
 * Parameters are frozen and inputs do not require grad, so nothing before the tap records a graph;
 * {@code requires_grad_} makes the tapped value the leaf from which autograd records the rest, and
 * {@code torch::autograd::grad(score, tap)} differentiates only from the score back to the tap. On a
 * non-leaf (a second tap downstream of another) {@code requires_grad_(true)} is a no-op, so gradients
 * still flow through it.
 *
 * <p>Why the clone: the model may change the module's output in place afterwards ({@code out += identity},
 * {@code ReLU(inplace=True)}, {@code relu_}). The parent receives the clone, so the stored output keeps the
 * module's own values and its gradient is the gradient with respect to them (what a backward hook on the
 * module reports), and an in-place operation never touches a leaf that requires grad. The clone itself is
 * stored too: after the forward it holds the values the model left there (the module's output after any
 * in-place change), which is what pytorch-grad-cam reads on CPU, where its stored activation aliases it.
 *
 * <p>The override: when switched on, the tapped instance hands its parent a given tensor instead of its
 * output, so the rest of the network runs on chosen layer values (Ablation-CAM's ablated channels) while
 * the part before the layer runs once for the image.
 */
final class GraphTap {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    static final String ATTRIBUTE = "_torchsight_tap";
    static final String FINAL_ATTRIBUTE = "_torchsight_tap_final";
    static final String FLAG = "_torchsight_tap_on";
    static final String OVERRIDE = "_torchsight_override";
    static final String OVERRIDE_ON = "_torchsight_override_on";

    private GraphTap() {}

    /** True when the module's forward returns a single tensor (what can be tapped). */
    static boolean returnsTensor(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            Graph g = module.get_method("forward").graph();
            return g.outputs().size() == 1
                    && g.outputs().get(0).type().get().kind().value == torch.TypeKind.TensorType.value;
        }
    }

    /** Rewrites the module's forward (idempotent per class) and switches the tap on for this instance. */
    static void install(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            module.register_attribute(ATTRIBUTE, new Type.TypePtr(TensorType.get()), new IValue(placeholder()), false, false);
            module.register_attribute(FINAL_ATTRIBUTE, new Type.TypePtr(TensorType.get()), new IValue(placeholder()), false, false);
            module.register_attribute(FLAG, boolType(), new IValue(true), false, false);
            module.register_attribute(OVERRIDE, new Type.TypePtr(TensorType.get()), new IValue(placeholder()), false, false);
            module.register_attribute(OVERRIDE_ON, boolType(), new IValue(false), false, false);
            Graph g = module.get_method("forward").graph();
            if (!isTapped(g)) {
                rewrite(g);
            }
        }
    }

    /**
     * Gives an untapped instance of a tapped class its flag (off), so the shared graph skips it; a no-op
     * for modules of other classes.
     */
    static void switchOff(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            if (module.hasattr(FLAG)) {
                module.setattr(FLAG, new IValue(false));
            }
        }
    }

    private static void rewrite(Graph g) {
        Value self = g.inputs().get(0);
        Value out = g.outputs().get(0);
        g.setInsertPoint(g.return_node());
        // Graph's own builders (insertGetAttr, createSetAttr): JitNode.s_ frees a string it does not own.
        Value flag = g.insertGetAttr(self, FLAG);
        JitNode branch = g.create(Symbol.fromQualString("prim::If"), new ValueArrayRef(new PointerPointer<Value>(new Value[] {flag}), 1), 1);
        branch.output().setType(out.type());
        g.insertNode(branch);
        Block on = branch.addBlock();
        Block off = branch.addBlock();

        g.setInsertPoint(on.return_node());
        Value yes = g.insertConstant(new IValue(true));
        JitNode requiresGrad = g.create(Symbol.aten("requires_grad_"),
                new ValueArrayRef(new PointerPointer<Value>(out, yes), 2), 1);
        requiresGrad.output().setType(out.type());
        g.insertNode(requiresGrad);
        store(g, self, ATTRIBUTE, requiresGrad.output());
        Value none = g.insertNode(g.createNone()).output();
        JitNode copy = g.create(Symbol.aten("clone"), new ValueArrayRef(new PointerPointer<Value>(requiresGrad.output(), none), 2), 1);
        copy.output().setType(out.type());
        g.insertNode(copy);
        store(g, self, FINAL_ATTRIBUTE, copy.output());
        Value overrideOn = g.insertGetAttr(self, OVERRIDE_ON);
        JitNode choice = g.create(Symbol.fromQualString("prim::If"),
                new ValueArrayRef(new PointerPointer<Value>(new Value[] {overrideOn}), 1), 1);
        choice.output().setType(out.type());
        g.insertNode(choice);
        Block replaced = choice.addBlock();
        Block computed = choice.addBlock();
        g.setInsertPoint(replaced.return_node());
        replaced.registerOutput(g.insertGetAttr(self, OVERRIDE));
        computed.registerOutput(copy.output());
        on.registerOutput(choice.output());
        off.registerOutput(out);
        g.return_node().replaceInput(0, branch.output());
    }

    private static void store(Graph g, Value self, String attribute, Value value) {
        g.insertNode(g.createSetAttr(self, attribute, value));
    }

    private static boolean isTapped(Graph g) {
        return g.toString().contains("prim::SetAttr[name=\"" + ATTRIBUTE + "\"]");
    }

    /**
     * The module's output in the last forward (a new handle, attached to the caller's scope like any
     * new tensor), or null when it has not run since.
     */
    static Tensor lastValue(JitModule module) {
        return read(module, ATTRIBUTE);
    }

    /** The values the model left in the module's output by the end of the last forward, or null. */
    static Tensor lastFinalValue(JitModule module) {
        return read(module, FINAL_ATTRIBUTE);
    }

    private static Tensor read(JitModule module, String attribute) {
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            IValue v = module.attr(attribute);
            if (v == null || !v.isTensor()) {
                return null;
            }
            Tensor t = v.toTensor();  // a view into v: copy the handle before v is freed
            return t.defined() && t.numel() > 0 ? call.result(new Tensor(t)) : null;
        }
    }

    /**
     * The bool type as a TypePtr. BoolType is a singleton whose own pointer type is one word, so it must be
     * wrapped as a singleton; {@code new Type.TypePtr(BoolType.get())} would take the Pointer-cast
     * constructor and read a second word that is not there.
     */
    private static Type.TypePtr boolType() {
        return new Type.TypePtr(new SingletonTypePtr(BoolType.get().get()));
    }

    /** An empty tensor marks "no value": setattr type-checks, so an undefined tensor is refused. */
    private static Tensor placeholder() {
        return torch.empty(0);
    }

    /** Makes the instance return {@code value} instead of its output, or (null) its own output again. */
    static void override(JitModule module, Tensor value) {
        try (PointerScope scope = new PointerScope()) {
            module.setattr(OVERRIDE, new IValue(value == null ? placeholder() : value));
            module.setattr(OVERRIDE_ON, new IValue(value != null));
        }
    }

    /** Forgets the stored values so a later read cannot return a stale tensor. */
    static void clear(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            module.setattr(ATTRIBUTE, new IValue(placeholder()));
            module.setattr(FINAL_ATTRIBUTE, new IValue(placeholder()));
        }
    }
}
