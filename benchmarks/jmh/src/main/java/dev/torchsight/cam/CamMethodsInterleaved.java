package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link CamMethodsVsForward}'s comparison measured call by call in one process: each round times the
 * plain no-grad forward (an untapped copy of the model) and every one-pass method (one tapped copy, layer4)
 * once, in an order rotated by one each round, so background load on a shared machine and order effects hit
 * all of them alike; prints medians and each
 * method's ratio to the forward's median of the same batch size.
 * Usage: java -cp ... dev.torchsight.cam.CamMethodsInterleaved MODEL.pt [BATCHES=1,16] [ROUNDS=30,8] [THREADS=cores] [METHODS=all one-pass]
 */
public final class CamMethodsInterleaved {
    private CamMethodsInterleaved() {}

    static final List<String> METHODS = List.of("gradcam", "hirescam", "gradcam-elementwise", "gradcam++", "xgradcam",
            "layercam", "shapleycam", "finercam", "eigengradcam", "eigencam", "kpcacam");

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int[] batches = ints(args.length > 1 ? args[1] : "1,16");
        int[] rounds = ints(args.length > 2 ? args[2] : "30,8");
        BenchProcess.configure(args.length > 3 ? Integer.parseInt(args[3]) : Threads.machineCores());
        List<String> methods = args.length > 4 ? List.of(args[4].split(",")) : METHODS;
        Map<Integer, Map<String, Double>> medians = new LinkedHashMap<>();
        try (Model plain = Model.load(file); Model tapped = Model.load(file)) {
            Map<String, Cam> cams = new LinkedHashMap<>();
            for (String m : methods) {
                cams.put(m, Cam.builder(tapped).setMethod(m).setLayers("layer4").build());
            }
            for (int b = 0; b < batches.length; b++) {
                int batch = batches[b];
                int r = rounds[Math.min(b, rounds.length - 1)];
                Map<String, double[]> ms = new LinkedHashMap<>();
                ms.put("forward", new double[r]);
                methods.forEach(m -> ms.put(m, new double[r]));
                try (PointerScope scope = new PointerScope()) {
                    torch.manual_seed(0);
                    Tensor x = torch.randn(batch, 3, 224, 224);
                    List<String> names = List.copyOf(ms.keySet());
                    for (int round = -3; round < r; round++) {  // three warm-up rounds
                        for (int k = 0; k < names.size(); k++) {
                            // each round starts one later, so no variant always runs first or after the same one
                            String name = names.get(Math.floorMod(k + round, names.size()));
                            long t0 = System.nanoTime();
                            if (name.equals("forward")) {
                                try (PointerScope s = new PointerScope()) {
                                    plain.predict(x);
                                }
                            } else {
                                cams.get(name).explain(x, Target.topClass());
                            }
                            if (round >= 0) {
                                ms.get(name)[round] = (System.nanoTime() - t0) / 1e6;
                            }
                        }
                    }
                }
                Map<String, Double> med = new LinkedHashMap<>();
                ms.forEach((k, v) -> med.put(k, median(v)));
                medians.put(batch, med);
                CamMethodsVsForward.printRatios(Map.of(batch, med), "median of " + r + " interleaved rounds, "
                        + Threads.libtorchThreads() + " threads");
            }
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
