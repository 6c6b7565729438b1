package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Barnes-Hut over a quadtree (2-D) or octree (3-D), O(N log N): native/src/repulsion_barnes_hut.cpp.
 * A cell is summarised when its width is below theta times its distance.
 */
final class BarnesHutRepulsion implements CpuRepulsion {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final double theta;

    BarnesHutRepulsion(double theta) {
        this.theta = theta;
    }

    @Override
    public double compute(KernelShape kernel, int nSources, DoublePointer sources, int nTargets, DoublePointer targets,
                          boolean sameSet, DoublePointer rep, DoublePointer zRow, int threads) {
        return TorchsightNative.tsne_repulsion_barnes_hut(kernel.dimensions(), kernel.dof(), theta, nSources, sources,
                nTargets, targets, sameSet ? 1 : 0, rep, zRow, threads);
    }

    @Override
    public String description() {
        return "Barnes-Hut";
    }
}
