package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Device;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.NativeErrors;
import dev.torchsight.core.internal.OwnedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A TorchScript model (scripted or traced) loaded on the CPU (or a CUDA GPU) in eval mode with
 * frozen parameters.
 *
 * <p><b>Ownership.</b> The model owns every native object it opens (the module and one handle per
 * submodule) and {@link #close()} frees them all; using a closed model throws a
 * {@link TorchsightException}. Tensors it returns are the caller's (see the {@code dev.torchsight.core}
 * package docs); tensors passed in are only read.
 *
 * <p><b>Threads.</b> A model may be shared between threads: its calls (forward passes, taps, a CAM's
 * forward, tap read and gradient) take the model in turn, so concurrent calls on one model are
 * serialised and give the same results as one thread. For parallel work, load one model per thread.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("resnet34.pt"));
 *      Tensor logits = model.predict(batch)) {
 *     ...
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final Path path;
    private final Integer outputIndex;
    private final Device device;
    /** Taken by every call that runs or changes the module: the tap stores its value on the module. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<String> tapped = new LinkedHashSet<>();
    private JitModule module;
    private Map<String, JitModule> submodules;
    private boolean ran;
    private volatile boolean closed;

    private Model(Path path, JitModule module, Integer outputIndex, Device device) {
        this.path = path;
        this.module = module;
        this.outputIndex = outputIndex;
        this.device = device;
        try {
            this.submodules = ModuleTree.namedModules(module);
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
    }

    /** The live submodule behind a tap (it changes when the model is reloaded); call with the lock held. */
    JitModule submodule(String name) {
        requireOpen();
        return submodules.get(name);
    }

    /** The lock a pass over this model holds (see {@link LayerTap#run}). */
    ReentrantLock lock() {
        return lock;
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
        lock.lock();
        try {
            requireOpen();
            return List.copyOf(submodules.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The layers that add a per-channel bias to a 2-D map, in definition order: every {@code Conv2d} with
     * a bias and every {@code BatchNorm2d} with an affine bias (FullGrad's layers).
     */
    public List<String> biasLayers() {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            requireOpen();
            List<String> out = new ArrayList<>();
            submodules.forEach((name, sub) -> {
                String type = typeName(sub);
                if ((type.equals("Conv2d") || type.equals("BatchNorm2d")) && sub.hasattr("bias")
                        && sub.attr("bias").isTensor()) {
                    out.add(name);
                }
            });
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The per-channel bias a layer adds to its output: a {@code Conv2d}'s bias, or for a
     * {@code BatchNorm2d} in eval mode its output for a zero input, {@code bias - running_mean * weight /
     * sqrt(running_var + eps)} (computed by the layer itself, so its own eps is used).
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the layer is not one of {@link #biasLayers()}
     */
    public float[] bias(String layer) {
        lock.lock();
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            requireOpen();
            JitModule sub = submodules.get(layer);
            if (sub == null || !biasLayers().contains(layer)) {
                throw new TorchsightException(Kind.LAYER, layer, "layer " + layer + " is not a Conv2d or BatchNorm2d with a bias");
            }
            Tensor bias = sub.attr("bias").toTensor();
            if (typeName(sub).equals("BatchNorm2d")) {
                Tensor zero = torch.zeros(new long[] {1, bias.size(0), 1, 1}, bias.options());
                IValueVector in = new IValueVector();
                in.push_back(new IValue(zero));
                bias = sub.forward(in).toTensor().reshape(-1);
                if (sub.hasattr(GraphTap.ATTRIBUTE)) {
                    GraphTap.clear(sub);  // a tapped layer stored this probe's output
                }
            }
            float[] out = new float[(int) bias.numel()];
            bias.cpu().to(torch.ScalarType.Float).contiguous().data_ptr_float().get(out);
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Taps a named submodule (see {@link LayerTap}).
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the layer does not exist (the message
     *         names the closest ones) or does not return a single tensor
     */
    public LayerTap tap(String layer) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            requireOpen();
            JitModule sub = submodules.get(layer);
            if (sub == null) {
                throw new TorchsightException(Kind.LAYER, layer, "layer '" + layer + "' not found in "
                        + path.getFileName() + "; closest: " + String.join(", ", closest(layer, 5))
                        + " (of " + submodules.size() + " layers)");
            }
            if (!GraphTap.returnsTensor(sub)) {
                throw new TorchsightException(Kind.LAYER, layer, "layer '" + layer + "' does not return a single "
                        + "tensor, so it cannot be tapped; pick one of its submodules");
            }
            if (tapped.contains(layer)) {
                return new LayerTap(layer, this);  // installed already (and reinstalled by any reload)
            }
            if (ran) {
                // The graph executor inlined every submodule's graph at the first run, so a graph rewritten
                // now would never execute: reload the model and reinstall the earlier taps first.
                reload();
            }
            tapped.add(layer);
            installTaps();
            return new LayerTap(layer, this);
        } finally {
            lock.unlock();
        }
    }

    private void reload() {
        JitModule fresh = loadModule(path, device);
        Map<String, JitModule> freshSubmodules;
        try {
            freshSubmodules = ModuleTree.namedModules(fresh);
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        closeModules();
        module = fresh;
        submodules = freshSubmodules;
        installTaps();
        ran = false;
    }

    /** Installs every tap, then switches the shared graph off for untapped instances of tapped classes. */
    private void installTaps() {
        tapped.forEach(name -> GraphTap.install(submodules.get(name)));
        submodules.forEach((name, sub) -> {
            if (!tapped.contains(name)) {
                GraphTap.switchOff(sub);
            }
        });
    }

    /**
     * Runs the model on a batch (N x C x H x W) and returns its output tensor (the caller's). Gradient
     * recording follows the caller's grad mode; with frozen parameters nothing is recorded before a tap.
     *
     * @throws TorchsightException of kind {@link Kind#MODEL} with libtorch's reason when the forward
     *         pass fails (e.g. an input size or channel count the model does not take), or
     *         {@link Kind#OUTPUT_INDEX} when the output holds several values and none (or a wrong one)
     *         is chosen
     */
    public Tensor forward(Tensor batch) {
        lock.lock();
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            requireOpen();
            return call.result(selectOutput(run(batch)));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the model and returns its whole output (any type), for work inside the caller's scope while it
     * holds {@link #lock()}; see {@link LayerTap#runAll}.
     */
    ModelOutput forwardOutput(Tensor batch) {
        requireOpen();
        return new ModelOutput(this, run(batch));
    }

    /** Runs the model without recording gradients; the result is the caller's. */
    public Tensor predict(Tensor batch) {
        try (NoGradGuard guard = new NoGradGuard()) {
            return forward(batch);
        }
    }

    /** The forward pass itself (lock held, inside the caller's scope). */
    private IValue run(Tensor batch) {
        IValueVector inputs = new IValueVector();
        inputs.push_back(new IValue(device == Device.CPU ? batch : batch.to(device.toTorch(), batch.scalar_type())));
        ran = true;
        try {
            return module.forward(inputs);
        } catch (RuntimeException e) {
            String reason = NativeErrors.reason(e);
            // Size advice only where libtorch speaks of shapes: other failures (in-place autograd errors,
            // unsupported ops) are the model's, and libtorch's reason says more than a guess would.
            boolean shape = reason.matches("(?is).*(size|shape|channel|mat1|dimension|expected input).*");
            throw new TorchsightException(Kind.MODEL, path, "the model's forward pass failed on input "
                    + shape(batch) + ": " + reason
                    + (shape ? "; check the input size and number of channels the model expects" : ""), e);
        }
    }

    /** The class scores in the output, as a new tensor handle (toTensor() is a view into the IValue). */
    Tensor selectOutput(IValue out) {
        if (out.isTensor()) {
            return new Tensor(out.toTensor());
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
            throw new TorchsightException(Kind.MODEL, path, "the model returns " + out.tagKind().getString()
                    + ", not a tensor of class scores; export a model whose forward returns the logits");
        }
        if (items.isEmpty()) {
            throw new TorchsightException(Kind.MODEL, path, "the model returns an empty " + kind
                    + ", not a tensor of class scores; export a model whose forward returns the logits");
        }
        if (outputIndex == null) {
            throw new TorchsightException(Kind.OUTPUT_INDEX, null, "the model returns a " + kind + " of "
                    + items.size() + " values, not a tensor; choose the output index of the class scores (0.."
                    + (items.size() - 1) + ")");
        }
        if (outputIndex < 0 || outputIndex >= items.size()) {
            throw new TorchsightException(Kind.OUTPUT_INDEX, outputIndex, "output index " + outputIndex
                    + " is out of range: the model returns " + items.size() + " values (use 0.." + (items.size() - 1) + ")");
        }
        IValue chosen = items.get(outputIndex);
        if (!chosen.isTensor()) {
            throw new TorchsightException(Kind.OUTPUT_INDEX, outputIndex, "output " + outputIndex
                    + " of the model is " + chosen.tagKind().getString() + ", not a tensor; choose another output index");
        }
        return new Tensor(chosen.toTensor());
    }

    /**
     * Lists every submodule with its output shape for a probe input of N=1, {@code channels} x
     * {@code size} x {@code size} (uniform noise from a generator of its own, so torch's global random
     * state is untouched). Uses a separate copy of the model, so this model's taps are unaffected; the
     * model's output may be anything (a tuple or dict works too).
     *
     * @throws TorchsightException of kind {@link Kind#CHANNELS} or {@link Kind#INPUT_SIZE} for a
     *         non-positive or too large probe, {@link Kind#MODEL} when the forward pass fails
     */
    public List<LayerInfo> layers(int channels, int size) {
        if (channels < 1) {
            throw new TorchsightException(Kind.CHANNELS, channels, "the probe input needs at least 1 channel, got " + channels);
        }
        if (size < 1) {
            throw new TorchsightException(Kind.INPUT_SIZE, size, "the probe input size must be positive, got " + size);
        }
        long bytes = (long) channels * size * size * Float.BYTES;
        long available = Pointer.availablePhysicalBytes();
        if (available > 0 && bytes > available / 4) {
            throw new TorchsightException(Kind.INPUT_SIZE, size, String.format(Locale.ROOT,
                    "a %d x %d x %d probe input needs %.1f GiB; use a smaller input size", channels, size, size,
                    bytes / 1073741824.0));
        }
        requireOpen();
        try (PointerScope scope = new PointerScope(); Model copy = builder().setPath(path).optDevice(device).build()) {
            Map<String, LayerTap> taps = new LinkedHashMap<>();
            List<LayerInfo> out = new ArrayList<>();
            for (var e : copy.submodules.entrySet()) {
                if (GraphTap.returnsTensor(e.getValue())) {
                    taps.put(e.getKey(), copy.tap(e.getKey()));
                }
            }
            Generator generator = torch.createCPUGenerator(0);
            Tensor probe = torch.rand(new long[] {1, channels, size, size}, new GeneratorOptional(generator));
            try (NoGradGuard guard = new NoGradGuard()) {
                copy.run(probe);  // the output itself is not needed, whatever its type
            }
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

    private void requireOpen() {
        if (closed) {
            throw new TorchsightException(Kind.MODEL, path, "the model loaded from " + path.getFileName()
                    + " is closed; load it again to use it");
        }
    }

    /** True once {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the module and every submodule handle (their weights with them). Idempotent; a call running
     * on another thread finishes first.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                closeModules();
                submodules = Map.of();
            }
        } finally {
            lock.unlock();
        }
    }

    private void closeModules() {
        submodules.values().forEach(JitModule::close);
        module.close();
    }

    /** Loads, sets eval mode, moves to the device and freezes the parameters; the result is owned by the caller. */
    private static JitModule loadModule(Path path, Device device) {
        JitModule module;
        try (PointerScope scope = new PointerScope()) {
            try {
                module = OwnedMemory.owned(torch.load(path.toString()));
            } catch (RuntimeException e) {
                throw new TorchsightException(Kind.MODEL, path, path + " is not a TorchScript archive ("
                        + NativeErrors.reason(e) + "); export with torch.jit.script(model).save(path) or torch.jit.trace", e);
            }
            try {
                module.eval();
                if (device != Device.CPU) {
                    module.to(device.toTorch());
                }
                ModuleTree.freezeParameters(module);
            } catch (RuntimeException e) {
                module.close();
                throw new TorchsightException(Kind.MODEL, path, "cannot prepare the model from " + path.getFileName()
                        + " on " + device + ": " + NativeErrors.reason(e), e);
            }
        }
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

        /**
         * Loads the model on the chosen device, in eval mode, with parameters frozen.
         *
         * @throws TorchsightException of kind {@link Kind#MODEL} when the file is missing or not
         *         TorchScript, {@link Kind#DEVICE} when the device cannot be used
         */
        public Model build() {
            if (path == null) {
                throw new TorchsightException(Kind.MODEL, null, "no model file given; set the TorchScript file's path");
            }
            if (Files.isDirectory(path)) {
                throw new TorchsightException(Kind.MODEL, path, "model file " + path + " is a folder; give a TorchScript file");
            }
            if (!Files.isRegularFile(path)) {
                throw new TorchsightException(Kind.MODEL, path, "model file not found: " + path + "; check the path");
            }
            device.requireUsable();
            return new Model(path, loadModule(path, device), outputIndex, device);
        }
    }
}
