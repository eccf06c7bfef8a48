package dev.pdm.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.mlflow.Task;
import java.util.Map;
import org.apache.spark.ml.regression.GBTRegressor;
import org.junit.jupiter.api.Test;

class GbtModelsTest {

  @Test
  void treeSettingsComeFromConfigAndReachTheEstimators() {
    GbtModels.Trees trees = GbtModels.Trees.of(PdmConfig.of(Map.of("pdm.training.feature-subset", "onethird",
        "pdm.training.min-instances-per-node", "20", "pdm.training.max-bins", "48")));
    assertEquals(new GbtModels.Trees(48, 17, "onethird", 20), trees);
    GBTRegressor rul = (GBTRegressor) GbtModels.estimator(Task.RUL, new GridPoint(4, 30, 0.1, 0.8), trees);
    assertEquals("onethird", rul.getFeatureSubsetStrategy());
    assertEquals(20, rul.getMinInstancesPerNode());
    assertEquals(48, rul.getMaxBins());
    assertEquals(30, rul.getMaxIter());
  }

  @Test
  void badTreeSettingsNameTheKey() {
    PdmException subset = assertThrows(PdmException.class, () -> GbtModels.Trees.of(
        PdmConfig.of(Map.of("pdm.training.feature-subset", "half"))));
    assertTrue(subset.getMessage().startsWith("Cannot read config key pdm.training.feature-subset: 'half' is not all,"
        + " onethird, sqrt, log2, a fraction in (0, 1] or a count"), subset.getMessage());
    PdmException leaf = assertThrows(PdmException.class, () -> GbtModels.Trees.of(
        PdmConfig.of(Map.of("pdm.training.min-instances-per-node", "0"))));
    assertTrue(leaf.getMessage().contains("pdm.training.min-instances-per-node"), leaf.getMessage());
  }
}
