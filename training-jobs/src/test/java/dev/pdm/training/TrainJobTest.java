package dev.pdm.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.test.Integration;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.features.FeaturesJob;
import dev.pdm.features.feedback.AssetEvents;
import dev.pdm.features.TinyFleet;
import dev.pdm.mlflow.LocalMlflow;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.RulIntervals;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.MlflowClient;

/**
 * Training on a tiny fleet against a real MLflow server: tracking, artifacts, registry, aliases and
 * the promotion gate; and the failure modes (unreachable server, a registered name holding other
 * models).
 */
@Integration
class TrainJobTest {

  private static final String POOR = "1,1,0.01,1.0";
  private static final String GOOD = "3,15,0.3,1.0";

  private static Path warehouse;

  @BeforeAll
  static void fleet() {
    SparkSession spark = TestSpark.session();
    warehouse = TestSpark.tempDir("train-wh");
    PdmConfig config = TinyFleet.config(warehouse);
    List<List<Row>> parts = new ArrayList<>();
    for (int unit = 1; unit <= 9; unit++) {
      parts.add(TinyFleet.rows("T", "train", unit, 1, 25 + 4 * unit, 1));
    }
    // a streamed asset (no split): unlabelled until someone reports its failure
    parts.add(TinyFleet.rows("T", "stream", 1, 1, 40, 1).stream().map(r -> {
      Object[] v = new Object[r.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.get(i);
      }
      v[1] = null;
      return RowFactory.create(v);
    }).toList());
    TinyFleet.appendSilver(spark, config, TinyFleet.concat(parts));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T", false));
  }

  @Test
  void theTrainingVectorsLineageStopsAtTheirCheckpointWhoseFilesGoWithThem() {
    SparkSession spark = TestSpark.session();
    Warehouse wh = new Warehouse(spark, warehouse.toString());
    FeatureSet set = new FeatureSets(spark, wh).latest("T").orElseThrow();
    // the directory may be one a user set (spark.checkpoint.dir): the run removes its own files only
    try (RddCheckpoints dir = RddCheckpoints.ensure(spark.sparkContext(),
        config(GOOD).require(PdmConfigKeys.TRAINING_CHECKPOINT_DIR))) {
      String file;
      try (TrainingRows rows = TrainingRows.load(wh, set, set.horizon(), 3, 17, false)) {
        // every task of every tree level deserialises this lineage: the Delta scan must not be in it
        String lineage = rows.forTask(Task.RUL).rdd().toDebugString();
        assertFalse(lineage.contains("FileScanRDD"), lineage);
        assertTrue(lineage.contains("CheckpointRDD"), lineage);
        file = rows.checkpointFile().orElseThrow();
        assertTrue(Files.isDirectory(Path.of(java.net.URI.create(file))), file);
      }
      assertFalse(Files.exists(Path.of(java.net.URI.create(file))), file + " was left behind");
      assertTrue(Files.isDirectory(Path.of(java.net.URI.create(spark.sparkContext().getCheckpointDir().get()))));
    }
  }

  @Test
  void aShareOfTheAssetsIsWholeAssetsAndTheSameOnEveryRun() {
    SparkSession spark = TestSpark.session();
    Warehouse wh = new Warehouse(spark, warehouse.toString());
    FeatureSet set = new FeatureSets(spark, wh).latest("T").orElseThrow();
    try (TrainingRows all = TrainingRows.load(wh, set, set.horizon(), 2, 17, false);
        TrainingRows half = TrainingRows.load(wh, set, set.horizon(), 2, 17, false, 0.5);
        TrainingRows again = TrainingRows.load(wh, set, set.horizon(), 2, 17, false, 0.5)) {
      assertTrue(half.assets() >= 2 && half.assets() < all.assets(), half.assets() + " of " + all.assets());
      List<Row> perAsset = half.labelled().groupBy("asset_id").count().orderBy("asset_id").collectAsList();
      assertEquals(all.labelled().groupBy("asset_id").count().join(half.labelled().select("asset_id").distinct(),
          "asset_id").orderBy("asset_id").collectAsList(), perAsset, "every row of a sampled asset");
      assertEquals(perAsset, again.labelled().groupBy("asset_id").count().orderBy("asset_id").collectAsList());
    }
    PdmException e = assertThrows(PdmException.class,
        () -> TrainingRows.load(wh, set, set.horizon(), 2, 17, false, 0.0));
    assertTrue(e.getMessage().contains("pdm.training.asset-fraction"), e.getMessage());
  }

  @Test
  void aStreamedAssetReportedFailedBecomesARunToFailureExample() {
    SparkSession spark = TestSpark.session();
    PdmConfig config = config(GOOD);
    Warehouse wh = new Warehouse(spark, warehouse.toString());
    FeatureSet set = new FeatureSets(spark, wh).latest("T").orElseThrow();
    try (TrainingRows before = TrainingRows.load(wh, set, set.horizon(), 3, 17, true)) {
      assertEquals(9, before.assets(), "no failure reported yet");
      AssetEvents.record(spark, wh, AssetEvents.Event.failure("T", "T-stream-1", 35, null, "test", null));
      try (TrainingRows after = TrainingRows.load(wh, set, set.horizon(), 3, 17, true);
          TrainingRows without = TrainingRows.load(wh, set, set.horizon(), 3, 17, false)) {
        assertEquals(10, after.assets());
        assertEquals(before.rows() + 35, after.rows(), "its cycles 1..35, up to the failure");
        assertEquals(List.of(Math.min(34, set.rulCap()), 0), after.labelled()
            .where("asset_id = 'T-stream-1' AND cycle IN (1, 35)").orderBy("cycle").select("rul").collectAsList()
            .stream().map(r -> r.getInt(0)).toList(), "the realised RUL, capped");
        assertEquals(9, without.assets(), "pdm.training.use-feedback=false");
      }
    } finally {
      // the other tests train on the train split alone
      spark.sql("DELETE FROM delta.`" + wh.path(Tables.GOLD_ASSET_EVENTS) + "`");
    }
  }

  private static PdmConfig config(String grid, String... more) {
    String[] g = grid.split(",");
    List<String> kv = new ArrayList<>(List.of("pdm.mlflow.tracking-uri", LocalMlflow.uri(),
        "pdm.training.grid.max-depth", g[0], "pdm.training.grid.max-iter", g[1],
        "pdm.training.grid.step-size", g[2], "pdm.training.grid.subsampling-rate", g[3]));
    kv.addAll(List.of(more));
    return TinyFleet.config(warehouse, kv.toArray(String[]::new));
  }

  private static TrainJob.Result train(PdmConfig config, boolean noTracking) {
    return TrainJob.run(TestSpark.session(), new TrainJob.Options(config, "T", null, 3, noTracking));
  }

  @Test
  void gateMovesChampionOnlyForABetterModelOnTheSameFolds() {
    PdmConfig poor = config(POOR);
    TrainJob.Result first = train(poor, false);
    TrainJob.Trained rul1 = first.models().get(Task.RUL);
    assertTrue(rul1.decision().promote());
    assertEquals("1", rul1.version());

    TrainJob.Result second = train(config(GOOD), false);
    TrainJob.Trained rul2 = second.models().get(Task.RUL);
    assertTrue(rul2.decision().promote(), rul2.decision().describe(Task.RUL));
    assertEquals(rul1.cv().get("rmse_all_rows"), rul2.decision().champion(), 1e-9,
        "the champion's hyperparameters cross-validated again on the same folds give its own figure");
    assertTrue(rul2.decision().challenger() < rul2.decision().champion());

    TrainJob.Result third = train(poor, false);
    TrainJob.Trained rul3 = third.models().get(Task.RUL);
    assertFalse(rul3.decision().promote(), rul3.decision().describe(Task.RUL));
    assertEquals("3", rul3.version());
    // The champion's hyperparameters (GOOD) were cross-validated again on this run's folds.
    assertEquals(rul2.cv().get("rmse_all_rows"), rul3.decision().champion(), 1e-9);

    try (Tracking t = Tracking.connect(poor)) {
      String name = Registry.registeredName(poor, "T", Task.RUL);
      assertEquals("2", t.versionByAlias(name, Registry.CHAMPION).orElseThrow().version());
      assertEquals("3", t.versionByAlias(name, Registry.CHALLENGER).orElseThrow().version());
      Tracking.ModelVersion v3 = t.versionByAlias(name, Registry.CHALLENGER).orElseThrow();
      assertTrue(v3.tags().get("pdm.gate").startsWith("kept champion v2"), v3.tags().toString());
      String failure = Registry.registeredName(poor, "T", Task.FAILURE);
      assertTrue(t.versionByAlias(failure, Registry.CHAMPION).isPresent());
    }

    // The run holds both models in the spark flavor layout, importances and validation predictions.
    MlflowClient client = new MlflowClient(LocalMlflow.uri());
    List<String> root;
    List<String> model;
    try (Tracking t = Tracking.connect(poor)) {
      root = t.listArtifacts(third.runId(), "");
      model = t.listArtifacts(third.runId(), "rul-model");
    }
    assertTrue(root.containsAll(List.of("failure-model", "failure_feature_importances.json",
        "failure_feature_importances.png", "rul-model", "rul_feature_importances.json", "rul_feature_importances.png",
        "validation_predictions.csv")), root.toString());
    assertTrue(model.contains("rul-model/MLmodel") && model.contains("rul-model/sparkml"), model.toString());
    Map<String, String> params = new java.util.HashMap<>();
    client.getRun(third.runId()).getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
    assertEquals("1", params.get("feature_set_version"));
    assertEquals("3", params.get("cv_folds"));
    assertTrue(params.get("features").startsWith("cycle,"), params.get("features"));
    assertEquals(third.goldVersion(), Long.parseLong(params.get("gold_features_delta_version")));
    long foldMetrics = client.getMetricHistory(third.runId(), "fold_rul_rmse").size();
    assertEquals(3, foldMetrics, "one figure per fold");
  }

  @Test
  void unreachableServerFailsWithinSecondsBeforeTraining() {
    int port = LocalMlflow.freePort();
    PdmConfig config = TinyFleet.config(warehouse, "pdm.mlflow.tracking-uri", "http://127.0.0.1:" + port);
    long start = System.nanoTime();
    PdmException e = assertThrows(PdmException.class, () -> train(config, false));
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertTrue(seconds < 10, "took " + seconds + " s");
    assertTrue(e.getMessage().startsWith("Cannot reach the MLflow tracking server at http://127.0.0.1:" + port),
        e.getMessage());
    assertTrue(e.getMessage().contains("bin/pdm mlflow start") && e.getMessage().contains("--no-tracking"),
        e.getMessage());
  }

  @Test
  void registeredNameHoldingOtherModelsIsRefused() {
    PdmConfig config = config(POOR, "pdm.training.model-name-prefix", "other");
    try (Tracking t = Tracking.connect(config)) {
      t.createRegisteredModel("other-T-rul", "someone else's model", Map.of());
    }
    PdmException e = assertThrows(PdmException.class, () -> train(config, false));
    assertTrue(e.getMessage().startsWith("Cannot register a rul model of T as other-T-rul: that registered model"
        + " holds models pdm did not register"), e.getMessage());
  }

  @Test
  void registeredModelWithoutVersionsHasNoChampion() {
    PdmConfig config = config(POOR);
    try (Tracking t = Tracking.connect(config)) {
      t.createRegisteredModel("empty-T-rul", "created, never trained", Map.of("pdm.task", "rul", "pdm.dataset", "T"));
      assertTrue(PromotionGate.prepare(t, "empty-T-rul", Task.RUL, "T").isEmpty());
      assertTrue(t.versionByAlias("empty-T-rul", Registry.CHAMPION).isEmpty());
    }
  }

  @Test
  void noTrackingSavesALoadableModelUnderTheWarehouse() throws Exception {
    TrainJob.Result r = train(config(GOOD), true);
    assertTrue(r.runId().startsWith("local-"));
    TrainJob.Trained rul = r.models().get(Task.RUL);
    assertEquals(null, rul.version());
    assertTrue(rul.modelDir().startsWith(warehouse + "/_models/T/local-"), rul.modelDir());
    assertTrue(Files.isRegularFile(Path.of(rul.modelDir(), "MLmodel")));
    // MLmodel names the MLflow that loads it (the venv's pin), not the Java client's 2.17.2
    String pin = Files.readString(Path.of("../bin/requirements/mlflow.txt")).lines()
        .filter(l -> l.startsWith("mlflow==")).findFirst().orElseThrow().substring("mlflow==".length());
    assertTrue(Files.readString(Path.of(rul.modelDir(), "MLmodel")).contains("\nmlflow_version: " + pin + "\n"));
    assertTrue(r.summary().contains("--no-tracking: not registered"), r.summary());
    // the RUL intervals are stored with the RUL model
    assertEquals(r.rulIntervals(), RulIntervals.fromJson(Files.readString(Path.of(rul.modelDir(), RulIntervals.FILE)),
        rul.modelDir()));
    // Boosting checkpointed its predictions (15 trees, every 3) under the training checkpoint
    // directory, which training removes when it ends.
    String checkpoints = TestSpark.session().sparkContext().getCheckpointDir().get();
    assertTrue(checkpoints.contains("/_checkpoints/_training/"), checkpoints);
    assertFalse(Files.exists(Path.of(java.net.URI.create(checkpoints))), checkpoints + " was left behind");
    PipelineModel loaded = PipelineModel.load(rul.modelDir() + "/sparkml");
    Dataset<Row> rows = TestSpark.session().read().format("delta").load(warehouse + "/gold/features").limit(20);
    List<Row> a = rul.model().transform(rows).select("prediction").collectAsList();
    List<Row> b = loaded.transform(rows).select("prediction").collectAsList();
    assertEquals(a, b);
    // The classifier carries its chosen threshold: prediction is 1 exactly when p1 > threshold.
    TrainJob.Trained failure = r.models().get(Task.FAILURE);
    Dataset<Row> scored = failure.model().transform(rows)
        .withColumn("p1", ModelOutputs.failureProbability());
    long wrong = scored.where(org.apache.spark.sql.functions.col("prediction").equalTo(1.0)
        .notEqual(org.apache.spark.sql.functions.col("p1").gt(failure.threshold()))).count();
    assertEquals(0, wrong);
  }
}
