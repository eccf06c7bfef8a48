package dev.pdm.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.mlflow.Task;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PromotionGateTest {

  private static final PromotionGate.Champion CHAMPION =
      new PromotionGate.Champion("3", "run-3", 1, new GridPoint(4, 50, 0.2, 0.8));

  @Test
  void promotesWithoutChampion() {
    PromotionGate.Decision d = PromotionGate.decide(Task.RUL, 20.0, Optional.empty(), Double.NaN, "no champion");
    assertTrue(d.promote());
    assertTrue(d.describe(Task.RUL).startsWith("promoted: no champion"));
  }

  @Test
  void rulPromotesOnlyALowerRmse() {
    assertTrue(PromotionGate.decide(Task.RUL, 13.9, Optional.of(CHAMPION), 14.0, "same folds").promote());
    assertFalse(PromotionGate.decide(Task.RUL, 14.1, Optional.of(CHAMPION), 14.0, "same folds").promote());
    assertFalse(PromotionGate.decide(Task.RUL, 14.0, Optional.of(CHAMPION), 14.0, "same folds").promote(),
        "a tie keeps the champion");
    assertFalse(PromotionGate.decide(Task.RUL, Double.NaN, Optional.of(CHAMPION), 14.0, "same folds").promote());
  }

  @Test
  void classifierPromotesOnlyAHigherAucPr() {
    assertTrue(PromotionGate.decide(Task.FAILURE, 0.91, Optional.of(CHAMPION), 0.90, "same folds").promote());
    assertFalse(PromotionGate.decide(Task.FAILURE, 0.89, Optional.of(CHAMPION), 0.90, "same folds").promote());
    String kept = PromotionGate.decide(Task.FAILURE, 0.89, Optional.of(CHAMPION), 0.90, "same folds")
        .describe(Task.FAILURE);
    assertTrue(kept.startsWith("kept champion v3: challenger auc_pr 0.8900 vs champion v3 0.9000"), kept);
  }
}
