package dev.pdm.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.TestSpark;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GbtModelsTest {

  @Test
  void treeSettingsComeFromConfigAndReachTheEstimators() {
    GbtModels.Trees trees = GbtModels.Trees.of(PdmConfig.of(Map.of("pdm.training.feature-subset", "onethird",
        "pdm.training.min-instances-per-node", "20", "pdm.training.max-bins", "48")));
    assertEquals(new GbtModels.Trees(48, 17, "onethird", 20), trees);
    assertEquals(5, GbtModels.Trees.of(PdmConfig.of(Map.of("pdm.training.tree-seed", "5"))).seed(),
        "a tree seed of its own");
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

  @Test
  void anAveragedRulModelPredictsTheMeanOfItsSeedsAndSavesAsOneGbtModel(@TempDir Path dir) throws Exception {
    SparkSession spark = TestSpark.session();
    StructType schema = new StructType().add("x", DataTypes.DoubleType).add("z", DataTypes.DoubleType)
        .add(GbtModels.LABEL, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create((double) i, (double) (i * 7 % 11), (double) (i % 13) * 3 + (i * 7 % 11)));
    }
    Dataset<Row> raw = spark.createDataFrame(rows, schema);
    List<String> features = List.of("x", "z");
    PipelineModel prep = new Pipeline().setStages(GbtModels.prep(features)).fit(raw);
    Dataset<Row> prepared = prep.transform(raw).cache();
    GridPoint point = new GridPoint(2, 4, 0.3, 0.6);
    GbtModels.Trees trees = new GbtModels.Trees(16, 3, "all", 1);

    PipelineModel averaged = GbtModels.fitPrepared(prep, raw, prepared, Task.RUL, point, trees, Double.NaN, 2, 2);
    GBTRegressionModel gbt = (GBTRegressionModel) averaged.stages()[2];
    assertEquals(8, gbt.trees().length, "two fits of four trees");
    assertEquals(2, gbt.numFeatures());
    List<Double> seed3 = predictions(GbtModels.fitPrepared(prep, raw, prepared, Task.RUL, point, trees, Double.NaN), raw);
    PipelineModel seed4Fit = GbtModels.fitPrepared(prep, raw, prepared, Task.RUL, point, trees.withSeed(4), Double.NaN);
    List<Double> seed4 = predictions(seed4Fit, raw);
    List<Double> mean = predictions(averaged, raw);
    assertTrue(!seed3.equals(seed4), "the two seeds draw different trees");
    for (int i = 0; i < mean.size(); i++) {
      assertEquals((seed3.get(i) + seed4.get(i)) / 2, mean.get(i), 1e-9, "row " + i);
    }
    // one seed is the plain fit, and the averaged pipeline reads back as it was written
    assertEquals(seed3, predictions(GbtModels.fitPrepared(prep, raw, prepared, Task.RUL, point, trees, Double.NaN, 1, 2),
        raw));
    // a model averaged in (the cross-validation's fold models) weighs as much as a fit
    GBTRegressionModel other = (GBTRegressionModel) seed4Fit.stages()[2];
    List<Double> withOther = predictions(GbtModels.fitPrepared(prep, raw, prepared, Task.RUL, point, trees,
        Double.NaN, 1, 2, List.of(other)), raw);
    for (int i = 0; i < mean.size(); i++) {
      assertEquals(mean.get(i), withOther.get(i), 1e-9, "row " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> GbtModels.fitPrepared(prep, raw, prepared, Task.FAILURE, point,
        trees, 0.5, 1, 2, List.of(other)));
    // without subsampling every seed draws the same trees: one fit, not two
    GridPoint whole = new GridPoint(2, 4, 0.3, 1.0);
    assertEquals(4, ((GBTRegressionModel) GbtModels.fitPrepared(prep, raw, prepared, Task.RUL, whole, trees,
        Double.NaN, 2, 2).stages()[2]).trees().length);
    averaged.write().save(dir.resolve("m").toString());
    assertEquals(mean, predictions(PipelineModel.load(dir.resolve("m").toString()), raw));
    prepared.unpersist();
  }

  private static List<Double> predictions(PipelineModel model, Dataset<Row> raw) {
    return model.transform(raw).orderBy("x").select(functions.col(ModelOutputs.PREDICTION)).as(
        org.apache.spark.sql.Encoders.DOUBLE()).collectAsList();
  }
}
