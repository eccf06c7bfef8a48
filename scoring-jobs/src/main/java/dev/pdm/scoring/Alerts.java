package dev.pdm.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.table.Tables;
import dev.pdm.scoring.RiskLevels.Level;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructField;

/**
 * Alerts from scored cycles: pure transforms.
 *
 * <p>An asset raises an alert when its risk level rises above the highest level it has alerted
 * since its last resolve ({@code ops.asset_risk.alerted_level}), so a run-up to failure raises at
 * most one alert per level (MEDIUM, HIGH, CRITICAL), and a level that flickers between two values
 * raises nothing more. {@code pdm alerts resolve} resets the asset's alerted level.
 */
public final class Alerts {

  /** Features named in an alert. */
  public static final int TOP_FEATURES = 3;

  private Alerts() {}

  /** The failure model's most important inputs, most important first. */
  public static List<String> topFeatures(PipelineModel failureModel, List<String> featureNames) {
    Transformer last = failureModel.stages()[failureModel.stages().length - 1];
    if (!(last instanceof GBTClassificationModel gbt)) {
      return List.of();
    }
    Vector importances = gbt.featureImportances();
    return IntStream.range(0, Math.min(importances.size(), featureNames.size())).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -importances.apply(i)))
        .limit(TOP_FEATURES).map(featureNames::get).toList();
  }

  static Column rank(Column level) {
    Column out = lit(0);
    for (Level l : Level.values()) {
      out = when(level.equalTo(l.name()), lit(l.ordinal())).otherwise(out);
    }
    return out;
  }

  static Column levelName(Column rank) {
    Column out = lit(Level.LOW.name());
    for (Level l : Level.values()) {
      out = when(rank.equalTo(l.ordinal()), lit(l.name())).otherwise(out);
    }
    return out;
  }

  /**
   * The alerts a batch of predictions raises.
   *
   * @param scored gold.predictions rows of one micro-batch, with the {@code topFeatures} columns
   * @param state ops.asset_risk rows of the dataset
   * @param criticalRul the RUL limit of CRITICAL: "inspect within" counts the cycles left before it
   */
  public static Dataset<Row> raise(Dataset<Row> scored, Dataset<Row> state, List<String> topFeatures,
      double criticalRul, Timestamp now) {
    WindowSpec asset = Window.partitionBy("asset_id").orderBy("cycle");
    WindowSpec before = asset.rowsBetween(Window.unboundedPreceding(), -1);
    Dataset<Row> s = state.select(col("asset_id"), col("cycle").as("_state_cycle"),
        rank(col("alerted_level")).as("_alerted"));
    Dataset<Row> ranked = scored
        .withColumn("_rank", rank(col("risk_level")))
        .withColumn("_first", min("cycle").over(Window.partitionBy("asset_id")))
        .join(s, new String[] {"asset_id"}, "left")
        // A batch replayed after the state was updated raised its alerts the first time.
        .where(col("_state_cycle").isNull().or(col("_state_cycle").lt(col("_first"))))
        .withColumn("_prior", greatest(coalesce(col("_alerted"), lit(0)),
            coalesce(max("_rank").over(before), lit(0))));
    List<Column> top = new ArrayList<>();
    for (String f : topFeatures) {
      top.add(concat(lit(f + "="), coalesce(format_number(col("`" + f + "`"), 4), lit("null"))));
    }
    Column within = greatest(lit(0), floor(col("predicted_rul").minus(criticalRul))).cast("string");
    Column recommendation = when(col("risk_level").equalTo(Level.CRITICAL.name()),
            concat(lit("inspect now: predicted RUL "), format_number(col("predicted_rul"), 0), lit(" cycles")))
        .otherwise(concat(lit("inspect within "), within, lit(" cycles")));
    Dataset<Row> alerts = ranked.where(col("_rank").gt(col("_prior")))
        .withColumn("alert_id", sha2(concat_ws("|", col("dataset"), col("asset_id"), col("cycle").cast("string"),
            col("risk_level")), 256).substr(1, 24))
        .withColumn("previous_level", levelName(col("_prior")))
        .withColumn("recommendation", recommendation)
        .withColumn("top_features", top.isEmpty() ? array().cast("array<string>") : array(top.toArray(Column[]::new)))
        .withColumn("status", lit("open"))
        .withColumn("raised_at", lit(now))
        .withColumn("updated_at", lit(now))
        .withColumn("note", lit(null).cast("string"))
        .withColumn("published_at", lit(null).cast("timestamp"));
    return conform(alerts, Tables.GOLD_ALERTS);
  }

  /** The new ops.asset_risk rows of the assets in a batch (scored with {@code anomaly_streak} kept). */
  public static Dataset<Row> nextState(Dataset<Row> scored, Dataset<Row> state, Timestamp now) {
    Dataset<Row> batch = scored.groupBy("dataset", "asset_id").agg(
        max("cycle").as("cycle"),
        max_by(col("risk_level"), col("cycle")).as("risk_level"),
        max_by(col("anomaly_streak"), col("cycle")).as("anomaly_streak"),
        max(rank(col("risk_level"))).as("_batch_max"));
    Dataset<Row> s = state.select(col("asset_id"), rank(col("alerted_level")).as("_alerted"));
    return conform(batch.join(s, new String[] {"asset_id"}, "left")
        .withColumn("alerted_level", levelName(greatest(coalesce(col("_alerted"), lit(0)), col("_batch_max"))))
        .withColumn("updated_at", lit(now)), Tables.OPS_ASSET_RISK);
  }

  private static Dataset<Row> conform(Dataset<Row> rows, dev.pdm.common.table.TableDef table) {
    List<Column> out = new ArrayList<>();
    for (StructField f : table.schema().fields()) {
      out.add(col(f.name()).cast(f.dataType()).as(f.name()));
    }
    return rows.select(out.toArray(Column[]::new));
  }
}
