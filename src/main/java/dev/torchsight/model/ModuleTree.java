package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedJitModule;
import org.bytedeco.pytorch.named_module_iterator;
import org.bytedeco.pytorch.named_module_list;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;

/** Walks a TorchScript module: its named submodules (dotted paths) and its parameters. */
final class ModuleTree {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private ModuleTree() {}

    /**
     * Every named submodule, in definition order, keyed by dotted path ("layer4", "layer4.1.conv2").
     * Each handle is a reference to the submodule (and through it to its weights) that the caller
     * owns and closes; the iteration's temporaries are freed before this returns.
     */
    static Map<String, JitModule> namedModules(JitModule root) {
        Map<String, JitModule> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            named_module_list list = root.named_modules();
            named_module_iterator end = list.end();  // one end iterator, not one per step (each is a native object)
            for (named_module_iterator it = list.begin(); it.notEquals(end); it = it.increment()) {
                NamedJitModule entry = it.access();
                String name = entry.name() == null ? "" : entry.name().getString();
                if (!name.isEmpty()) {
                    // value() points into the iterator's temporary; copy to own a reference to the module.
                    out.put(name, OwnedMemory.owned(new JitModule(entry.value())));
                }
            }
        } catch (RuntimeException e) {
            out.values().forEach(JitModule::close);
            throw e;
        }
        return out;
    }

    /** Turns off requires_grad on every parameter, so a forward records no autograd graph by itself. */
    static void freezeParameters(JitModule root) {
        // Each access() is a tensor handle that keeps its parameter alive: the scope frees them here.
        try (PointerScope scope = new PointerScope()) {
            parameter_list params = root.parameters(true);
            parameter_iterator end = params.end();  // one end iterator, not one per step (each is a native object)
            for (parameter_iterator it = params.begin(); it.notEquals(end); it = it.increment()) {
                it.access().requires_grad_(false);
            }
        }
    }
}
