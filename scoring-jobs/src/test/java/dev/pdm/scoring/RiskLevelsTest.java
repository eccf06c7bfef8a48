package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.scoring.RiskLevels.Level;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RiskLevelsTest {

  private final RiskLevels risk = RiskLevels.from(PdmConfig.of(Map.of()));

  @Test
  void highestLevelReachedByProbabilityOrRul() {
    assertEquals(Level.LOW, risk.level(0.1, 100));
    assertEquals(Level.MEDIUM, risk.level(0.2, 100));
    assertEquals(Level.MEDIUM, risk.level(0.0, 60));
    assertEquals(Level.HIGH, risk.level(0.5, 100));
    assertEquals(Level.HIGH, risk.level(0.1, 30));
    assertEquals(Level.CRITICAL, risk.level(0.1, 10));
    assertEquals(Level.CRITICAL, risk.level(0.8, 200));
    assertEquals(Level.CRITICAL, risk.level(0.3, -2));
  }

  @Test
  void badThresholdsAreRefusedWithTheKey() {
    PdmException e = assertThrows(PdmException.class,
        () -> RiskLevels.from(PdmConfig.of(Map.of("pdm.scoring.risk.high", "half,30"))));
    assertTrue(e.getMessage().contains("pdm.scoring.risk.high"), e.getMessage());
    PdmException order = assertThrows(PdmException.class,
        () -> RiskLevels.from(PdmConfig.of(Map.of("pdm.scoring.risk.high", "0.9,30"))));
    assertTrue(order.getMessage().contains("not ordered"), order.getMessage());
  }
}
