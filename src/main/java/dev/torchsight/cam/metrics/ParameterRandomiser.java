package dev.torchsight.cam.metrics;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.NativeErrors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedTensor;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.named_parameter_iterator;
import org.bytedeco.pytorch.named_parameter_list;
import org.bytedeco.pytorch.global.torch;

/**
 * Writes a copy of a TorchScript file whose top modules' parameters are re-drawn at random: each chosen
 * parameter tensor becomes normal noise of mean 0 and its own root-mean-square as standard deviation
 * (so activations keep their scale), from a generator of its own seeded by the caller. "Top" follows
 * the order of the model's parameters (definition order, input to output for the usual networks): the
 * last k modules that own parameters, as the cascading randomisation of Adebayo et al. starts from the
 * logits. The source file and any loaded model are not touched.
 */
final class ParameterRandomiser {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private ParameterRandomiser() {}

    /**
     * Loads {@code source} on the CPU, randomises the parameters of its last {@code modules} modules
     * (all when there are fewer), saves it as {@code target} and returns the randomised parameters' names.
     */
    static List<String> write(Path source, Path target, int modules, long seed) {
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            JitModule module;
            try {
                module = torch.load(source.toString(), new DeviceOptional(new Device(torch.DeviceType.CPU)), false);
            } catch (RuntimeException e) {
                throw new TorchsightException(Kind.MODEL, source, "cannot reload " + source.getFileName()
                        + " to randomise a copy: " + NativeErrors.reason(e), e);
            }
            Map<String, List<String>> byModule = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            named_parameter_list list = module.named_parameters(true);
            named_parameter_iterator end = list.end();
            for (named_parameter_iterator it = list.begin(); it.notEquals(end); it = it.increment()) {
                NamedTensor entry = it.access();
                String name = entry.name().getString();
                int dot = name.lastIndexOf('.');
                byModule.computeIfAbsent(dot < 0 ? "" : name.substring(0, dot), k -> new ArrayList<>()).add(name);
                tensors.put(name, new Tensor(entry.value()));
            }
            List<String> owners = new ArrayList<>(byModule.keySet());
            List<String> chosen = new ArrayList<>();
            for (int m = Math.max(0, owners.size() - modules); m < owners.size(); m++) {
                chosen.addAll(byModule.get(owners.get(m)));
            }
            Generator random = torch.createCPUGenerator(seed);
            List<String> randomised = new ArrayList<>();
            for (String name : tensors.keySet()) {   // the model's order
                Tensor t = tensors.get(name);
                if (!chosen.contains(name) || !t.is_floating_point() || t.numel() == 0) {
                    continue;
                }
                double rms = Math.sqrt(t.to(torch.ScalarType.Double).pow(new org.bytedeco.pytorch.Scalar(2)).mean()
                        .item_double());
                t.normal_(0, rms, new GeneratorOptional(random));
                randomised.add(name);
            }
            try {
                module.save(target.toString());
            } catch (RuntimeException e) {
                throw new TorchsightException(Kind.OUTPUT, target, "cannot write the randomised copy to " + target + ": "
                        + NativeErrors.reason(e), e);
            }
            return randomised;
        }
    }
}
