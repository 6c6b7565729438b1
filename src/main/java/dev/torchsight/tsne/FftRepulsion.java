package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/**
 * FFT-accelerated interpolation (Linderman et al. 2019), O(N): the kernel sums are evaluated on an
 * equispaced grid of Lagrange nodes by FFT convolution (FFTW, single precision) and interpolated back to
 * the points. native/src/repulsion_fft.cpp; 2-D embeddings.
 */
final class FftRepulsion implements CpuRepulsion {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Interpolation nodes per interval (FIt-SNE's and openTSNE's default). */
    static final int INTERPOLATION_POINTS = 3;
    /** Intervals per unit of embedding width. */
    static final double INTERVALS_PER_UNIT = 1;
    /** Fewest intervals per axis. */
    static final int MIN_INTERVALS = 50;

    @Override
    public double compute(KernelShape kernel, int nSources, DoublePointer sources, int nTargets, DoublePointer targets,
                          boolean sameSet, DoublePointer rep, DoublePointer zRow, int threads) {
        double z = TorchsightNative.tsne_repulsion_fft(kernel.dimensions(), kernel.dof(), INTERPOLATION_POINTS,
                INTERVALS_PER_UNIT, MIN_INTERVALS, nSources, sources, nTargets, targets, sameSet ? 1 : 0, rep, zRow,
                threads);
        if (Double.isNaN(z)) {
            throw new TorchsightException(TorchsightException.Kind.METHOD, TsneMethod.FFT,
                    "the FFT method could not run: FFTW (org.bytedeco:fftw) is not loaded; use --method barnes-hut");
        }
        return z;
    }

    @Override
    public String description() {
        return "FFT interpolation";
    }
}
