package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.table.Tables;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.ModelOutputs;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/** gold.features rows to gold.predictions rows with a pair of champion models: a pure transform. */
public final class Scorer {

  /** Who scored: the stream scorer or score-batch. */
  public enum ScoredBy { STREAM, BATCH }

  private Scorer() {}

  /**
   * @param features rows with gold.features' key and feature columns (labels may be absent), and
   *     the columns of {@link Anomalies#flag}
   * @param scoredAt the commit time recorded in {@code scored_at}
   */
  public static Dataset<Row> score(Dataset<Row> features, ChampionModels.Champions models, RiskLevels risk,
      ScoredBy by, Timestamp scoredAt) {
    Dataset<Row> rul = models.rulModel().transform(features)
        .withColumn("predicted_rul", col(ModelOutputs.PREDICTION));
    // The failure pipeline adds the same intermediate columns again: drop the RUL pipeline's first.
    List<String> intermediate = new ArrayList<>();
    for (String c : rul.columns()) {
      if (c.startsWith("_pdm_") || c.equals(ModelOutputs.PREDICTION)) {
        intermediate.add(c);
      }
    }
    Dataset<Row> both = models.failureModel().transform(rul.drop(intermediate.toArray(String[]::new)))
        .withColumn("failure_probability", ModelOutputs.failureProbability());
    List<Column> out = new ArrayList<>();
    List<String> present = List.of(both.columns());
    for (StructField f : Tables.GOLD_PREDICTIONS.schema().fields()) {
      Column c = switch (f.name()) {
        // features from gold.features (score-batch) have no Kafka timestamp
        case "kafka_timestamp" -> present.contains(f.name()) ? col(f.name()) : lit(null);
        case "risk_level" -> risk.column();
        case "rul_model_name" -> lit(models.rul().name());
        case "rul_model_version" -> lit(models.rul().version());
        case "failure_model_name" -> lit(models.failure().name());
        case "failure_model_version" -> lit(models.failure().version());
        case "feature_set_version" -> lit(models.featureSetVersion());
        case "scored_by" -> lit(by.name().toLowerCase());
        case "scored_at" -> lit(scoredAt);
        case "rul_lower" -> models.rulIntervals() == null ? lit(null)
            : models.rulIntervals().lower(col("predicted_rul"));
        case "rul_upper" -> models.rulIntervals() == null ? lit(null)
            : models.rulIntervals().upper(col("predicted_rul"));
        default -> col(f.name());
      };
      out.add(c.cast(f.dataType()).as(f.name()));
    }
    return both.select(out.toArray(Column[]::new));
  }
}
