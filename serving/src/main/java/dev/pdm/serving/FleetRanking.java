package dev.pdm.serving;

import dev.pdm.scoring.RiskLevels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every asset's latest prediction, worst first, with its counts per dataset and risk level: one
 * immutable snapshot built when gold.predictions moves, so that {@code GET /assets} answers a page
 * and its counts without a pass over the fleet (a 10,000-asset fleet was three passes per request).
 *
 * <p>Usage:
 * <pre>{@code
 * FleetRanking ranking = FleetRanking.of(latestOfEachAsset);
 * FleetRanking.Page page = ranking.page("FD001", Set.of("CRITICAL"), 100);
 * }</pre>
 */
final class FleetRanking {

  /** The risk levels, most severe first: the order of {@link Page#levels()}. */
  static final List<String> LEVELS_SEVERE_FIRST;

  static {
    List<String> levels = new ArrayList<>(Arrays.stream(RiskLevels.Level.values()).map(Enum::name).toList());
    Collections.reverse(levels);
    LEVELS_SEVERE_FIRST = List.copyOf(levels);
  }

  static final FleetRanking EMPTY = of(List.of());

  /** Assets worst first (at most the limit), how many match, and the counts per level over the dataset filter. */
  record Page(List<AssetPrediction> assets, int total, Map<String, Integer> levels, List<String> datasets) {}

  private final List<AssetPrediction> worstFirst;
  /** Per dataset (null: all), the number of assets at each level, by {@link RiskLevels.Level} ordinal. */
  private final Map<String, int[]> counts;
  private final List<String> datasets;

  private FleetRanking(List<AssetPrediction> worstFirst, Map<String, int[]> counts, List<String> datasets) {
    this.worstFirst = worstFirst;
    this.counts = counts;
    this.datasets = datasets;
  }

  /** The ranking of {@code latest}, one prediction per asset in any order. */
  static FleetRanking of(List<AssetPrediction> latest) {
    List<AssetPrediction> sorted = new ArrayList<>(latest);
    sorted.sort(FleetView.WORST_FIRST);
    Map<String, int[]> counts = new HashMap<>();
    int levels = RiskLevels.Level.values().length;
    Set<String> datasets = new TreeSet<>();
    for (AssetPrediction p : sorted) {
      int level = RiskLevels.Level.valueOf(p.riskLevel()).ordinal();
      counts.computeIfAbsent(p.dataset(), d -> new int[levels])[level]++;
      counts.computeIfAbsent(null, d -> new int[levels])[level]++;
      datasets.add(p.dataset());
    }
    return new FleetRanking(List.copyOf(sorted), counts, List.copyOf(datasets));
  }

  int size() {
    return worstFirst.size();
  }

  List<String> datasets() {
    return datasets;
  }

  /** The worst {@code limit} assets of {@code dataset} (null: all) at {@code risks} (empty: any level). */
  Page page(String dataset, Set<String> risks, int limit) {
    int[] perLevel = counts.getOrDefault(dataset, new int[RiskLevels.Level.values().length]);
    Map<String, Integer> levels = new LinkedHashMap<>();
    int total = 0;
    for (String level : LEVELS_SEVERE_FIRST) {
      int n = perLevel[RiskLevels.Level.valueOf(level).ordinal()];
      levels.put(level, n);
      total += risks.isEmpty() || risks.contains(level) ? n : 0;
    }
    List<AssetPrediction> assets = worstFirst.stream()
        .filter(p -> (dataset == null || dataset.equals(p.dataset()))
            && (risks.isEmpty() || risks.contains(p.riskLevel())))
        .limit(limit)
        .toList();
    return new Page(assets, total, levels, datasets);
  }
}
