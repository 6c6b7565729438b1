package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Device;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A TorchScript model (scripted or traced) loaded on the CPU (or a CUDA GPU) in eval mode with
 * frozen parameters.
 * Not thread-safe: use one instance per thread.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("resnet34.pt"))) {
 *     Tensor logits = model.forward(batch);
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final Path path;
    private JitModule module;
    private Map<String, JitModule> submodules;
    private final Integer outputIndex;
    private final Device device;
    private final java.util.Set<String> tapped = new java.util.LinkedHashSet<>();
    private boolean ran;

    private Model(Path path, JitModule module, Integer outputIndex, Device device) {
        this.path = path;
        this.module = module;
        this.submodules = ModuleTree.namedModules(module);
        this.outputIndex = outputIndex;
        this.device = device;
    }

    /** The live submodule behind a tap (it changes when the model is reloaded). */
    JitModule submodule(String name) {
        return submodules.get(name);
    }

    /** Where the model's parameters live; inputs are moved there by {@link #forward}. */
    public Device device() {
        return device;
    }

    /** Loads a TorchScript file (from torch.jit.script or torch.jit.trace, then .save). */
    public static Model load(Path path) {
        return builder().setPath(path).build();
    }

    /** A builder: {@code setPath} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where the model was loaded from. */
    public Path path() {
        return path;
    }

    /** Dotted names of every submodule, in definition order. */
    public List<String> layerNames() {
        return List.copyOf(submodules.keySet());
    }

    /**
     * Taps a named submodule (see {@link LayerTap}). Fails with the closest names when it does not exist.
     */
    public LayerTap tap(String layer) {
        JitModule sub = submodules.get(layer);
        if (sub == null) {
            throw new TorchsightException("layer '" + layer + "' not found in " + path.getFileName() + "; closest: "
                    + String.join(", ", closest(layer, 5)) + " (list all with: torchsight layers " + path + ")");
        }
        if (!GraphTap.returnsTensor(sub)) {
            throw new TorchsightException("layer '" + layer + "' does not return a single tensor, so it cannot be "
                    + "tapped; pick one of its submodules (see torchsight layers " + path + ")");
        }
        if (ran && !tapped.contains(layer)) {
            // The graph executor inlined every submodule's graph at the first run, so a graph rewritten
            // now would never execute: reload the model and reinstall the earlier taps first.
            reload();
        }
        tapped.add(layer);
        GraphTap.install(submodules.get(layer));
        return new LayerTap(layer, this);
    }

    private void reload() {
        JitModule fresh = loadModule(path, device);
        module.close();
        module = fresh;
        submodules = ModuleTree.namedModules(fresh);
        tapped.forEach(name -> GraphTap.install(submodules.get(name)));
        ran = false;
    }

    /**
     * Runs the model on a batch (N x C x H x W) and returns its output tensor. Gradient recording
     * follows the caller's grad mode; with frozen parameters nothing is recorded before a tap.
     */
    public Tensor forward(Tensor batch) {
        IValueVector inputs = new IValueVector();
        inputs.push_back(new IValue(device == Device.CPU ? batch : batch.to(device.toTorch(), batch.scalar_type())));
        IValue out;
        ran = true;
        try {
            out = module.forward(inputs);
        } catch (RuntimeException e) {
            throw new TorchsightException("the model's forward failed on input " + shape(batch) + ": "
                    + firstLine(e.getMessage()) + "; check --size and the number of channels", e);
        }
        return selectOutput(out);
    }

    /** Runs the model without recording gradients. */
    public Tensor predict(Tensor batch) {
        try (NoGradGuard guard = new NoGradGuard()) {
            return forward(batch);
        }
    }

    private Tensor selectOutput(IValue out) {
        if (out.isTensor()) {
            return out.toTensor();
        }
        List<IValue> items = new ArrayList<>();
        String kind;
        if (out.isTuple()) {
            kind = "tuple";
            var elems = out.toTuple().elements();
            for (long i = 0; i < elems.size(); i++) {
                items.add(elems.get(i));
            }
        } else if (out.isList()) {
            kind = "list";
            var list = out.toList();
            for (long i = 0; i < list.size(); i++) {
                items.add(list.get(i));
            }
        } else if (out.isGenericDict()) {
            kind = "dict";
            var dict = out.toGenericDict();
            for (var it = dict.begin(); it.notEquals(dict.end()); it = it.increment()) {
                items.add(it.access().value());
            }
        } else {
            throw new TorchsightException("the model returns " + out.tagKind().getString()
                    + ", not a tensor of class scores; export a model whose forward returns the logits");
        }
        if (outputIndex == null) {
            throw new TorchsightException("the model returns a " + kind + " of " + items.size()
                    + " values, not a tensor; choose the class scores with --output-index N (0.." + (items.size() - 1) + ")");
        }
        if (outputIndex < 0 || outputIndex >= items.size()) {
            throw new TorchsightException("--output-index " + outputIndex + " is out of range: the model returns "
                    + items.size() + " values (use 0.." + (items.size() - 1) + ")");
        }
        IValue chosen = items.get(outputIndex);
        if (!chosen.isTensor()) {
            throw new TorchsightException("output " + outputIndex + " of the model is not a tensor; pick another --output-index");
        }
        return chosen.toTensor();
    }

    /**
     * Lists every submodule with its output shape for a probe input of N=1, {@code channels} x
     * {@code size} x {@code size}. Uses a separate copy of the model, so this model's taps are unaffected.
     */
    public List<LayerInfo> layers(int channels, int size) {
        if (size < 1 || channels < 1) {
            throw new TorchsightException("probe input size must be positive, got " + channels + "x" + size + "x" + size);
        }
        try (PointerScope scope = new PointerScope(); Model copy = builder().setPath(path).optDevice(device).build()) {
            Map<String, LayerTap> taps = new java.util.LinkedHashMap<>();
            List<LayerInfo> out = new ArrayList<>();
            for (var e : copy.submodules.entrySet()) {
                if (GraphTap.returnsTensor(e.getValue())) {
                    taps.put(e.getKey(), copy.tap(e.getKey()));
                }
            }
            torch.manual_seed(0);
            copy.predict(torch.rand(1, channels, size, size));  // forward moves it to the model's device
            for (var e : copy.submodules.entrySet()) {
                String type = typeName(e.getValue());
                LayerTap tap = taps.get(e.getKey());
                if (tap == null) {
                    out.add(new LayerInfo(e.getKey(), type, null, "returns no single tensor"));
                    continue;
                }
                Tensor value = GraphTap.lastValue(e.getValue());
                if (value == null) {
                    out.add(new LayerInfo(e.getKey(), type, null, "not called by forward"));
                } else {
                    List<Long> shape = new ArrayList<>();
                    for (long d : value.sizes().vec().get()) {
                        shape.add(d);
                    }
                    out.add(new LayerInfo(e.getKey(), type, shape, null));
                }
            }
            return out;
        }
    }

    private static String typeName(JitModule m) {
        String q = m.type().name().get().name().getString();
        return q;
    }

    private List<String> closest(String name, int count) {
        return submodules.keySet().stream()
                .sorted(Comparator.comparingInt((String s) -> editDistance(s, name)).thenComparing(s -> s))
                .limit(count).toList();
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(t.sizes().vec().get());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = message.strip().split("\n")[0];
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    @Override
    public void close() {
        module.close();
    }

    private static JitModule loadModule(Path path, Device device) {
        JitModule module;
        try {
            module = torch.load(path.toString());
        } catch (RuntimeException e) {
            throw new TorchsightException(path + " is not a TorchScript archive (" + firstLine(e.getMessage())
                    + "); export with torch.jit.script(model).save(path) or torch.jit.trace", e);
        }
        module.eval();
        if (device != Device.CPU) {
            module.to(device.toTorch());
        }
        ModuleTree.freezeParameters(module);
        return module;
    }

    /** Options for loading a model. */
    public static final class Builder {
        private Path path;
        private Integer outputIndex;
        private Device device = Device.CPU;

        private Builder() {}

        /** Where to run (default CPU); CUDA fails clearly when no GPU is usable. */
        public Builder optDevice(Device device) {
            this.device = java.util.Objects.requireNonNull(device);
            return this;
        }

        /** The TorchScript file (required). */
        public Builder setPath(Path path) {
            this.path = path;
            return this;
        }

        /** Which element holds the class scores when forward returns a tuple, list or dict. */
        public Builder optOutputIndex(int index) {
            this.outputIndex = index;
            return this;
        }

        /** Loads the model on the CPU, in eval mode, with parameters frozen. */
        public Model build() {
            if (path == null) {
                throw new TorchsightException("no model file given; pass --model MODEL.pt");
            }
            if (!Files.isRegularFile(path)) {
                throw new TorchsightException("model file not found: " + path + "; check the path");
            }
            Threads.current();
            device.requireUsable();
            return new Model(path, loadModule(path, device), outputIndex, device);
        }
    }
}
