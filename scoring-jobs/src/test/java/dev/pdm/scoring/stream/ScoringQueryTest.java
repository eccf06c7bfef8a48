package dev.pdm.scoring.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;

import dev.pdm.common.table.Tables;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * What a new checkpoint takes from gold.alerts (each asset's highest level among its alerts not
 * resolved), and which plan a checkpoint has: with a state TTL or without.
 */
class ScoringQueryTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void aCheckpointKeepsThePlanItBeganWith() throws Exception {
    PdmConfig byDefault = TestSpark.config(TestSpark.tempDir("wh"));
    PdmConfig none = TestSpark.config(TestSpark.tempDir("wh"), PdmConfigKeys.SCORING_STATE_TTL.name(), "none");
    PdmConfig week = TestSpark.config(TestSpark.tempDir("wh"), PdmConfigKeys.SCORING_STATE_TTL.name(), "7d");

    String fresh = TestSpark.tempDir("cp").toString();
    assertArrayEquals(new long[] {30L * 86_400_000L, 365L * 86_400_000L},
        ScoringQuery.stateTtl(spark, byDefault, fresh, "FD001"), "a new checkpoint gets the TTL");
    assertArrayEquals(new long[] {7L * 86_400_000L, 365L * 86_400_000L},
        ScoringQuery.stateTtl(spark, week, fresh, "FD001"), "its duration may change on a restart");
    PdmException refused = assertThrows(PdmException.class, () -> ScoringQuery.stateTtl(spark, none, fresh, "FD001"));
    assertTrue(refused.getMessage().contains("was begun with a state TTL, and pdm.scoring.state.ttl=none applies to"
        + " new checkpoints only"), refused.getMessage());

    String without = TestSpark.tempDir("cp").toString();
    assertNull(ScoringQuery.stateTtl(spark, none, without, "FD001"));
    assertNull(ScoringQuery.stateTtl(spark, byDefault, without, "FD001"), "begun without: stays without");

    // a checkpoint that planned batches before pdm noted its plan keeps every asset
    java.nio.file.Path old = TestSpark.tempDir("cp");
    java.nio.file.Files.createDirectories(old.resolve("offsets"));
    java.nio.file.Files.writeString(old.resolve("offsets/0"), "v1");
    assertNull(ScoringQuery.stateTtl(spark, byDefault, old.toString(), "FD001"));

    // the feature set its states were folded under: fixed when it begins; only a TTL plan takes another
    assertEquals(3, ScoringQuery.stateFeatureSet(spark, fresh, "FD001", 3, true));
    assertEquals(3, ScoringQuery.stateFeatureSet(spark, fresh, "FD001", 4, true), "v4 refolds each asset");
    assertEquals(2, ScoringQuery.stateFeatureSet(spark, old.toString(), "FD001", 2, false), "begun before: as run");
    PdmException other = assertThrows(PdmException.class,
        () -> ScoringQuery.stateFeatureSet(spark, old.toString(), "FD001", 3, false));
    assertTrue(other.getMessage().contains("holds per-asset state folded under feature set v2 and was begun without"
        + " a state TTL"), other.getMessage());
  }

  @Test
  void anAssetsAlertedLevelIsItsHighestOpenAlertsNotAResolvedOnes() {
    List<Row> alerts = List.of(alert("u1", "MEDIUM", "resolved"), alert("u1", "HIGH", "acknowledged"),
        alert("u1", "MEDIUM", "open"), alert("u2", "CRITICAL", "resolved"), alert("u3", "CRITICAL", "open"),
        alert("u3", "HIGH", "open"));
    List<Row> other = List.of(RowFactory.create("a", "OTHER", "u1", 1, null, "CRITICAL", "LOW", 1.0, 1.0, "x",
        List.of(), "1", "1", "open", new Timestamp(0), new Timestamp(0), null, null));
    List<String> levels = ScoringQuery.alertedLevels(spark.createDataFrame(
            new java.util.ArrayList<Row>() {{ addAll(alerts); addAll(other); }}, Tables.GOLD_ALERTS.schema()), "FD001")
        .selectExpr("concat_ws(' ', asset_id, alerted_level) AS s").orderBy("s").as(Encoders.STRING()).collectAsList();
    // u2's only alert is resolved: no row, so it starts at LOW
    assertEquals(List.of("u1 HIGH", "u3 CRITICAL"), levels);
  }

  private static Row alert(String asset, String level, String status) {
    return RowFactory.create(asset + level + status, "FD001", asset, 1, null, level, "LOW", 10.0, 0.9, "x", List.of(),
        "1", "1", status, new Timestamp(0), new Timestamp(0), null, null);
  }
}
