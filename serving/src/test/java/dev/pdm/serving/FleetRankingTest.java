package dev.pdm.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetRankingTest {

  private static AssetPrediction p(String dataset, String asset, String level, double probability) {
    return new AssetPrediction(dataset, asset, 10, null, 50, null, null, probability, level, "NONE", List.of(),
        "1", "1", 1, "test", "2026-12-05T00:00:00Z");
  }

  private final FleetRanking ranking = FleetRanking.of(List.of(
      p("A", "a1", "LOW", 0.1), p("A", "a2", "CRITICAL", 0.9), p("A", "a3", "HIGH", 0.6),
      p("B", "b1", "CRITICAL", 0.95), p("B", "b2", "LOW", 0.05), p("A", "a4", "CRITICAL", 0.8)));

  @Test
  void aPageIsTheWorstFirstWithTheTotalOfTheFilterAndTheLevelsOfTheDataset() {
    FleetRanking.Page a = ranking.page("A", Set.of(), 2);
    assertEquals(List.of("a2", "a4"), a.assets().stream().map(AssetPrediction::assetId).toList());
    assertEquals(4, a.total());
    assertEquals(Map.of("CRITICAL", 2, "HIGH", 1, "MEDIUM", 0, "LOW", 1), a.levels());
    assertEquals(List.of("CRITICAL", "HIGH", "MEDIUM", "LOW"), List.copyOf(a.levels().keySet()));

    FleetRanking.Page critical = ranking.page(null, Set.of("CRITICAL", "LOW"), 2);
    assertEquals(List.of("b1", "a2"), critical.assets().stream().map(AssetPrediction::assetId).toList());
    assertEquals(5, critical.total());
    assertEquals(Map.of("CRITICAL", 3, "HIGH", 1, "MEDIUM", 0, "LOW", 2), critical.levels(),
        "levels count every level of the dataset filter, whatever the risk filter");
    assertEquals(List.of("A", "B"), critical.datasets());

    FleetRanking.Page none = ranking.page("C", Set.of(), 10);
    assertEquals(0, none.total());
    assertEquals(List.of(), none.assets());
    assertEquals(0, none.levels().get("CRITICAL"));
  }
}
