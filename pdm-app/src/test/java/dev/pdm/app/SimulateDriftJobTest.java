package dev.pdm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import dev.pdm.mlflow.LocalMlflow;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quarter scenario end to end on the simulator, small: ten engines a quarter, one tiny grid
 * point, a real MLflow server. Checks the table's shape and what holds at this size: the
 * six-regime quarter is reported as drifted, and {@code --no-retrain} leaves the champion alone.
 */
@Integration
class SimulateDriftJobTest {

  @Test
  void fourQuartersDriftIsReportedAndTheChampionStaysWithoutRetraining() {
    PdmConfig config = TestSpark.config(TestSpark.tempDir("qtr-wh"), "pdm.mlflow.tracking-uri", LocalMlflow.uri(),
        "pdm.training.model-name-prefix", "qtr", "pdm.training.cv-folds", "2",
        "pdm.training.grid.max-depth", "3", "pdm.training.grid.max-iter", "8", "pdm.training.grid.step-size", "0.3",
        "pdm.training.grid.subsampling-rate", "1.0");
    SimulateDriftJob.Result r = SimulateDriftJob.run(TestSpark.session(),
        new SimulateDriftJob.Options(config, null, "QTR", true, 10));

    List<SimulateDriftJob.Quarter> q = r.quarters();
    assertEquals(List.of("T0", "T1", "T2", "T3"), q.stream().map(SimulateDriftJob.Quarter::name).toList());
    assertEquals(List.of("sim 1r/1f", "sim 6r/1f", "sim 1r/2f", "sim 6r/2f"),
        q.stream().map(SimulateDriftJob.Quarter::source).toList());
    for (SimulateDriftJob.Quarter x : q) {
      assertTrue(x.rows() > 10 * 50, x + ": ten engines' cycles (a few of them the next quarter's)");
      assertFalse(x.retrained(), x + ": --no-retrain");
      assertEquals("1", x.championBefore(), x + ": the first champion throughout");
      assertEquals(x.championBefore(), x.championAfter(), x.toString());
      assertTrue(Double.isFinite(x.rmseBefore()) && x.rmseBefore() > 0, x.toString());
    }
    // Two held-out engines a quarter are too few to call T0 (the champion's own fleet) drift-free;
    // six operating regimes the champion never saw are drift at any size.
    assertTrue(q.get(1).retrainAdvised(), q.get(1).toString());
    assertTrue(r.summary().contains("T1      sim 6r/1f"), r.summary());
  }

  @Test
  void tooFewEnginesAreRefusedBeforeAnythingRuns() {
    PdmConfig config = TestSpark.config(TestSpark.tempDir("qtr-bad"));
    PdmException e = assertThrows(PdmException.class,
        () -> new SimulateDriftJob.Options(config, null, "QTR", true, 9));
    assertTrue(e.getMessage().contains("--simulated-units"), e.getMessage());
  }
}
