package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.JitNode;
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
 *   %t = aten::requires_grad_(%out, true)
 *   prim::SetAttr[name="_torchsight_tap"](%self, %t)
 *   return (%t)
 * </pre>
 * Why this route: method graphs belong to the class and are looked up at call time (scripted and
 * traced parents both reach a child through {@code prim::CallMethod}), while attributes live in each
 * instance, so the value is stored on the tapped instance even when other instances share its class.
 * Parameters are frozen and inputs do not require grad, so nothing before the tap records a graph;
 * {@code requires_grad_} makes the tapped value the leaf from which autograd records the rest, and
 * {@code torch::autograd::grad(score, tap)} differentiates only from the score back to the tap. On a
 * non-leaf (another instance of the same class later in the network) {@code requires_grad_(true)}
 * is a no-op, so gradients still flow through it. Under no-grad the flag is set and nothing is recorded.
 */
final class GraphTap {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    static final String ATTRIBUTE = "_torchsight_tap";

    private GraphTap() {}

    /** True when the module's forward returns a single tensor (what can be tapped). */
    static boolean returnsTensor(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            Graph g = module.get_method("forward").graph();
            return g.outputs().size() == 1
                    && g.outputs().get(0).type().get().kind().value == torch.TypeKind.TensorType.value;
        }
    }

    /** Rewrites the module's forward (idempotent) so each call stores its output on the instance. */
    static void install(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            rewrite(module);
        }
    }

    private static void rewrite(JitModule module) {
        // Adds the attribute to the class if needed and gives this instance its slot.
        module.register_attribute(ATTRIBUTE, new Type.TypePtr(TensorType.get()), new IValue(placeholder()), false, false);
        Graph g = module.get_method("forward").graph();
        if (isTapped(g)) {
            return;  // this class's graph already stores its output (another instance was tapped)
        }
        Value self = g.inputs().get(0);
        Value out = g.outputs().get(0);
        g.setInsertPoint(g.return_node());
        Value yes = g.insertConstant(new IValue(true));
        JitNode requiresGrad = g.create(Symbol.aten("requires_grad_"),
                new ValueArrayRef(new PointerPointer<Value>(out, yes), 2), 1);
        requiresGrad.output().setType(out.type());
        g.insertNode(requiresGrad);
        JitNode store = g.create(Symbol.fromQualString("prim::SetAttr"),
                new ValueArrayRef(new PointerPointer<Value>(self, requiresGrad.output()), 2), 0);
        store.s_(Symbol.attr("name"), new BytePointer(ATTRIBUTE));
        g.insertNode(store);
        g.return_node().replaceInput(0, requiresGrad.output());
    }

    private static boolean isTapped(Graph g) {
        return g.toString().contains("prim::SetAttr[name=\"" + ATTRIBUTE + "\"]");
    }

    /**
     * The value the module produced in the last forward (a new handle, attached to the caller's scope
     * like any new tensor), or null when it has not run since.
     */
    static Tensor lastValue(JitModule module) {
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            IValue v = module.attr(ATTRIBUTE);
            if (v == null || !v.isTensor()) {
                return null;
            }
            Tensor t = v.toTensor();  // a view into v: copy the handle before v is freed
            return t.defined() && t.numel() > 0 ? call.result(new Tensor(t)) : null;
        }
    }

    /** An empty tensor marks "no value": setattr type-checks, so an undefined tensor is refused. */
    private static Tensor placeholder() {
        return torch.empty(0);
    }

    /** Forgets the stored value so a later read cannot return a stale tensor. */
    static void clear(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            module.setattr(ATTRIBUTE, new IValue(placeholder()));
        }
    }
}
