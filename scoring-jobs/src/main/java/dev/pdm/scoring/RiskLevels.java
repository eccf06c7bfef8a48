package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.ConfigKey;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.io.Serializable;
import org.apache.spark.sql.Column;

/**
 * Risk levels from the failure probability and the predicted RUL: the highest level whose
 * probability threshold is reached or whose RUL threshold is not exceeded. Thresholds from
 * {@code pdm.scoring.risk.medium|high|critical} = {@code <probability>,<rul>}.
 */
public record RiskLevels(Threshold medium, Threshold high, Threshold critical) implements Serializable {

  /** The levels, lowest first; their order is their severity. */
  public enum Level { LOW, MEDIUM, HIGH, CRITICAL }

  /** One level's thresholds. */
  public record Threshold(double probability, double rul) implements Serializable {
    boolean reached(double p, double r) {
      return p >= probability || r <= rul;
    }
  }

  public RiskLevels {
    if (!(medium.probability() <= high.probability() && high.probability() <= critical.probability()
        && medium.rul() >= high.rul() && high.rul() >= critical.rul())) {
      throw PdmErrors.config("use the risk thresholds", "they are not ordered: medium " + medium + ", high " + high
              + ", critical " + critical,
          "give probabilities rising and RUL limits falling from medium to critical");
    }
  }

  public static RiskLevels from(PdmConfig config) {
    return new RiskLevels(parse(config, PdmConfigKeys.RISK_MEDIUM), parse(config, PdmConfigKeys.RISK_HIGH),
        parse(config, PdmConfigKeys.RISK_CRITICAL));
  }

  private static Threshold parse(PdmConfig config, ConfigKey key) {
    String v = config.require(key);
    String[] parts = v.split(",");
    try {
      if (parts.length == 2) {
        double p = Double.parseDouble(parts[0].trim());
        double r = Double.parseDouble(parts[1].trim());
        if (p >= 0 && p <= 1) {
          return new Threshold(p, r);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw PdmErrors.badConfigValue(key.name(), v, "<probability 0..1>,<rul cycles>, e.g. 0.5,30");
  }

  /** The level of one prediction. */
  public Level level(double probability, double rul) {
    if (critical.reached(probability, rul)) {
      return Level.CRITICAL;
    }
    if (high.reached(probability, rul)) {
      return Level.HIGH;
    }
    return medium.reached(probability, rul) ? Level.MEDIUM : Level.LOW;
  }

  /** The same as a column over {@code failure_probability} and {@code predicted_rul}. */
  public Column column() {
    Column p = col("failure_probability");
    Column r = col("predicted_rul");
    return when(p.geq(critical.probability()).or(r.leq(critical.rul())), lit(Level.CRITICAL.name()))
        .when(p.geq(high.probability()).or(r.leq(high.rul())), lit(Level.HIGH.name()))
        .when(p.geq(medium.probability()).or(r.leq(medium.rul())), lit(Level.MEDIUM.name()))
        .otherwise(lit(Level.LOW.name()));
  }
}
