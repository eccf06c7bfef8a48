package dev.pdm.mlflow;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Column;

/**
 * The columns a pdm model's Spark pipeline adds to the rows it scores, as every reader of a
 * registered model (scoring, drift, the benchmark) finds them.
 *
 * <p>Usage:
 * <pre>{@code
 * Dataset<Row> scored = champions.failureModel().transform(rows)
 *     .withColumn("failure_probability", ModelOutputs.failureProbability());
 * }</pre>
 */
public final class ModelOutputs {

  /** The predicted RUL, or the predicted class (0/1). */
  public static final String PREDICTION = "prediction";
  /** The classifier's class probabilities (a vector). */
  public static final String PROBABILITY = "probability";

  private ModelOutputs() {}

  /** The classifier's probability of failure within the horizon, as a double column. */
  public static Column failureProbability() {
    return vector_to_array(col(PROBABILITY), "float64").getItem(1);
  }
}
