package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/** All pairs, O(N^2): native/src/repulsion_exact.cpp. */
final class ExactRepulsion implements CpuRepulsion {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public double compute(KernelShape kernel, int nSources, DoublePointer sources, int nTargets, DoublePointer targets,
                          boolean sameSet, DoublePointer rep, DoublePointer zRow, int threads) {
        return TorchsightNative.tsne_repulsion_exact(kernel.dimensions(), kernel.dof(), nSources, sources, nTargets,
                targets, sameSet ? 1 : 0, rep, zRow, threads);
    }

    @Override
    public String description() {
        return "exact";
    }
}
