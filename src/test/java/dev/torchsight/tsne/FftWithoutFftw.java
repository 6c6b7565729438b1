package dev.torchsight.tsne;

import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Run by {@link FftRepulsionTest} in a JVM whose class path lacks the fftw preset: prints whether the FFT
 * repulsion found FFTW and what a call returned.
 */
public final class FftWithoutFftw {
    private FftWithoutFftw() {}

    public static void main(String[] args) {
        NativeLibrary.ensureLoaded();
        double[] y = {0, 0, 1, 1, 2, 0};
        try (DoublePointer p = new DoublePointer(y); DoublePointer rep = new DoublePointer(6L);
             DoublePointer z = new DoublePointer(3L)) {
            double total = TorchsightNative.tsne_repulsion_fft(2, 1, 3, 1, 50, 3, p, 3, p, 1, rep, z, 1);
            System.out.println("available=" + TorchsightNative.tsne_fft_available() + " result=" + total);
        }
    }
}
