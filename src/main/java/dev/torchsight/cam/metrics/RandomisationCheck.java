package dev.torchsight.cam.metrics;

import java.util.List;

/**
 * The model-randomisation sanity check (Adebayo et al., "Sanity Checks for Saliency Maps", 2018): maps
 * of a copy of the model whose top parameters were re-drawn at random, compared with the model's own.
 * A method whose maps depend on what the model learned gives dissimilar maps (low correlation); maps
 * that stay alike reflect the input more than the model. With no parameter randomised the maps are
 * the same and every correlation is 1.
 *
 * @param randomisedParameters the names of the parameters re-drawn, in the model's order
 * @param maps one comparison per map
 */
public record RandomisationCheck(List<String> randomisedParameters, List<MapSimilarity> maps) {
    /** Copies the lists. */
    public RandomisationCheck {
        randomisedParameters = List.copyOf(randomisedParameters);
        maps = List.copyOf(maps);
    }

    /** The mean Spearman correlation over the maps where it is defined (NaN when none is). */
    public double meanSpearman() {
        return maps.stream().mapToDouble(MapSimilarity::spearman).filter(v -> !Double.isNaN(v)).average()
                .orElse(Double.NaN);
    }

    /** The mean structural similarity over the maps where it is defined (NaN when none is). */
    public double meanSsim() {
        return maps.stream().mapToDouble(MapSimilarity::ssim).filter(v -> !Double.isNaN(v)).average()
                .orElse(Double.NaN);
    }
}
