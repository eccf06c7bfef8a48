package dev.pdm.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.test.TestSpark;
import dev.pdm.mlflow.Histograms;
import dev.pdm.mlflow.ReferenceProfile;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The statistics of drift reports on hand-made counts, and the binning of rows. */
class DriftTest {

  private static final Drift.Thresholds T = new Drift.Thresholds(0.1, 0.25, 0.3, 0.25, 0.2, 1, 3);

  /** A reference column with 9 edges (10 bins, each its own decile) and the missing bin. */
  private static ReferenceProfile.Entry entry(long[]... bands) {
    return new ReferenceProfile.Entry("s", new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, bands);
  }

  private static long[] counts(long... perBin) {
    long[] c = new long[11];
    System.arraycopy(perBin, 0, c, 0, perBin.length);
    return c;
  }

  @Test
  void psiAndKsHaveTheirTextbookValues() {
    assertEquals(0.4 * Math.log(1.8) + 0.4 * Math.log(5), Drift.psi(new double[] {0.5, 0.5}, new double[] {0.9, 0.1}),
        1e-12);
    assertEquals(0.0, Drift.psi(new double[] {0.3, 0.7, 0}, new double[] {0.3, 0.7, 0}), 1e-12);
    // D = 0.2 with 100 rows each: scipy's asymptotic two-sample p-value 0.0314.
    assertEquals(0.031377, Drift.ksPValue(0.2, 100, 100), 1e-5);
    assertEquals(1.0, Drift.ksPValue(0.0, 100, 100), 1e-12);

    Drift.Comparison same = Drift.compare(entry(counts(10, 10, 10, 10, 10, 10, 10, 10, 10, 10)),
        new long[][] {counts(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)}, T);
    assertEquals(0.0, same.psi(), 1e-12);
    assertEquals(0.0, same.ks(), 1e-12);
    assertEquals(Drift.Status.OK, same.status());

    // The window's lowest decile emptied into its highest: KS reads 0.1 from the first edge on.
    Drift.Comparison moved = Drift.compare(entry(counts(10, 10, 10, 10, 10, 10, 10, 10, 10, 10)),
        new long[][] {counts(0, 2, 2, 2, 2, 2, 2, 2, 2, 4)}, T);
    assertEquals(0.1, moved.ks(), 1e-12);
    assertEquals(Drift.Status.DRIFT, moved.status(), "psi " + moved.psi());
    assertEquals(100, moved.referenceRows());
    assertEquals(20, moved.currentRows());
  }

  @Test
  void referenceIsReweightedToTheWindowsLifeStages() {
    // Early life (band 0) sits in the low bins, late life (band 1) in the high ones.
    ReferenceProfile.Entry ref = entry(counts(20, 20, 20, 20, 20, 0, 0, 0, 0, 0),
        counts(0, 0, 0, 0, 0, 20, 20, 20, 20, 20));
    // A fleet seen only early in life, like the training fleet early in life: no drift.
    Drift.Comparison early = Drift.compare(ref, new long[][] {counts(4, 4, 4, 4, 4, 0, 0, 0, 0, 0), counts()}, T);
    assertEquals(0.0, early.psi(), 1e-12);
    assertEquals(Drift.Status.OK, early.status());
    // The same window against the pooled reference (both stages) would be called drifted.
    ReferenceProfile.Entry pooled = entry(counts(20, 20, 20, 20, 20, 20, 20, 20, 20, 20));
    assertTrue(Drift.compare(pooled, new long[][] {counts(4, 4, 4, 4, 4, 0, 0, 0, 0, 0)}, T).psi() > 0.25);
    // Early in life but in the late bins: drift.
    Drift.Comparison shifted = Drift.compare(ref, new long[][] {counts(0, 0, 0, 0, 0, 4, 4, 4, 4, 4), counts()},
        T);
    assertEquals(Drift.Status.DRIFT, shifted.status());
    // A band without reference rows borrows the nearest band that has some.
    ReferenceProfile.Entry noLate = entry(counts(20, 20, 20, 20, 20, 0, 0, 0, 0, 0), counts());
    assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0, 0, 0},
        Drift.reweighted(noLate.counts(), new double[] {0, 1}), 1e-12);
  }

  @Test
  void decisionNamesEveryCriterion() {
    Drift.Comparison ok = new Drift.Comparison("a", 0.01, 0, 1, Drift.Status.OK, null, null, null, 10, 10);
    Drift.Comparison drifted = new Drift.Comparison("b", 0.5, 0, 1, Drift.Status.DRIFT, null, null, null, 10, 10);
    Drift.Decision none = Drift.decide(List.of(ok, ok, ok, drifted), ok, null, T);
    assertFalse(none.retrain());
    assertEquals(0.25, none.driftedShare(), 1e-12);
    assertEquals(List.of("1 of 4 features drifted (25%; retrain at 30% or more)", "prediction PSI 0.010 (< 0.25)",
        "performance: no asset in the window has a known RUL yet"), none.reasons());

    Drift.Decision byShare = Drift.decide(List.of(ok, drifted), ok, null, T);
    assertTrue(byShare.retrain());
    Drift.Decision byPrediction = Drift.decide(List.of(ok, ok, ok, ok), drifted, null, T);
    assertTrue(byPrediction.retrain());
    assertEquals("prediction PSI 0.500 (>= 0.25)", byPrediction.reasons().get(1));
    Drift.Decision worse = Drift.decide(List.of(ok, ok, ok, ok), ok, new Drift.Performance(5, 100, 24.0, 19.0), T);
    assertTrue(worse.retrain());
    assertEquals("performance: RMSE 24.00 on 5 assets with known RUL vs validation RMSE 19.00 (+26%; retrain at +20%)",
        worse.reasons().get(2));
    Drift.Decision fine = Drift.decide(List.of(ok, ok, ok, ok), ok, new Drift.Performance(5, 100, 22.0, 19.0), T);
    assertFalse(fine.retrain());
    Drift.Decision few = Drift.decide(List.of(ok, ok, ok, ok), ok, new Drift.Performance(2, 40, 40.0, 19.0), T);
    assertFalse(few.retrain(), "two assets are too few to judge");
  }

  @Test
  void histogramsCountEachBandAndMissingValues() {
    StructType schema = new StructType().add(Histograms.BAND_AT, DataTypes.IntegerType).add("x", DataTypes.DoubleType);
    List<Row> rows = List.of(RowFactory.create(1, 0.5), RowFactory.create(2, 1.0), RowFactory.create(3, 2.5),
        RowFactory.create(3, null), RowFactory.create(9, Double.NaN), RowFactory.create(10, 7.0),
        RowFactory.create(11, 3.0));
    long[][][] c = Histograms.count(TestSpark.session().createDataFrame(rows, schema).repartition(3), List.of("x"),
        new double[][] {{1, 2, 3}}, Histograms.Bands.parse("3,10"));
    // Bins: <=1, (1,2], (2,3], >3, missing.
    assertArrayEquals(new long[] {2, 0, 1, 0, 1}, c[0][0]);
    assertArrayEquals(new long[] {0, 0, 0, 1, 1}, c[0][1]);
    assertArrayEquals(new long[] {0, 0, 1, 0, 0}, c[0][2]);
    assertEquals(0, Histograms.Bands.parse("3,10").of(3));
    assertEquals(1, Histograms.Bands.parse("3,10").of(4));
    assertEquals(2, Histograms.Bands.parse("3,10").of(11));
    assertEquals(11, Histograms.Bands.parse("3,10").firstCycle(2));
  }
}
