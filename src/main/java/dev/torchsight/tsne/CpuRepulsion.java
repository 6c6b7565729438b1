package dev.torchsight.tsne;

import org.bytedeco.javacpp.DoublePointer;

/**
 * One CPU algorithm for the repulsive forces, backed by one native file. Adding a CPU backend is one
 * implementation of this interface plus its native function, and a line in {@link Backends}.
 *
 * <p>For target points t and source points s: {@code rep[t] = sum_s w_ts^((dof+1)/dof) (y_t - y_s)} and
 * {@code zRow[t] = sum_s w_ts}; with {@code sameSet} the two sets are one and a point does not repel
 * itself. Buffers are borrowed; the call allocates nothing the caller must free.
 */
interface CpuRepulsion {
    /**
     * Computes the forces and per-target normalisation terms.
     *
     * @return the sum of {@code zRow}
     */
    double compute(KernelShape kernel, int nSources, DoublePointer sources, int nTargets, DoublePointer targets,
                   boolean sameSet, DoublePointer rep, DoublePointer zRow, int threads);

    /** The algorithm's name for reports, e.g. "Barnes-Hut (theta 0.5)". */
    String description();
}
