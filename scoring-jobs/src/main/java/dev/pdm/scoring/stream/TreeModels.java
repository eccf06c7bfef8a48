package dev.pdm.scoring.stream;

import dev.pdm.common.PdmErrors;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.RulIntervals;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.GBTRegressionModel;

/**
 * A pair of champion pipelines reduced to what a row needs: the two tree ensembles, flattened
 * ({@link FlatTrees}), and, for each model input, where it sits in the folded cycle's inputs.
 * Evaluating them per row gives the pipelines' own results (the same splits, leaves and weights;
 * the SQL stage only reads an undefined input as 0) without a 160-column Spark SQL plan per
 * micro-batch.
 *
 * <p>Serializable: shipped to executors in a broadcast with the processor.
 */
public final class TreeModels implements Serializable {

  private static final Pattern INPUT = Pattern.compile("coalesce\\(CAST\\(`([^`]+)` AS DOUBLE\\), 0D\\)");

  private final String rulName;
  private final String rulVersion;
  private final String failureName;
  private final String failureVersion;
  private final int featureSetVersion;
  private final FlatTrees rul;
  private final FlatTrees failure;
  private final double[] failureImportances;
  private final int[] rulInputs;
  private final int[] failureInputs;
  private final List<String> inputNames;
  private final RulIntervals intervals;

  /** @param inputNames the folded inputs, in order ({@code FeatureSet.featureNames()}) */
  public TreeModels(ChampionModels.Champions c, List<String> inputNames) {
    this.rulName = c.rul().name();
    this.rulVersion = c.rul().version();
    this.failureName = c.failure().name();
    this.failureVersion = c.failure().version();
    this.featureSetVersion = c.featureSetVersion();
    this.inputNames = List.copyOf(inputNames);
    GBTRegressionModel rulTrees = last(c.rulModel(), GBTRegressionModel.class, c.rul());
    GBTClassificationModel failureTrees = last(c.failureModel(), GBTClassificationModel.class, c.failure());
    this.rul = flat(rulTrees.trees(), rulTrees.treeWeights(), c.rul());
    this.failure = flat(failureTrees.trees(), failureTrees.treeWeights(), c.failure());
    this.failureImportances = failureTrees.featureImportances().toArray();
    this.rulInputs = inputs(c.rulModel(), c.rul());
    this.failureInputs = inputs(c.failureModel(), c.failure());
    this.intervals = c.rulIntervals();
  }

  public String rulName() {
    return rulName;
  }

  public String rulVersion() {
    return rulVersion;
  }

  public String failureName() {
    return failureName;
  }

  public String failureVersion() {
    return failureVersion;
  }

  public int featureSetVersion() {
    return featureSetVersion;
  }

  /** The predicted RUL of one folded cycle (NaN inputs read as 0, as the pipeline's SQL stage does). */
  public double rul(double[] inputs) {
    return rul.margin(select(inputs, rulInputs));
  }

  /** {@code [lower, upper]} of the RUL model's interval around {@code rul}; null without intervals. */
  public double[] rulInterval(double rul) {
    return intervals == null ? null : intervals.around(rul);
  }

  /** The probability of failure within the horizon. */
  public double failureProbability(double[] inputs) {
    return FlatTrees.probability(failure.margin(select(inputs, failureInputs)));
  }

  /** The failure model's most important inputs' positions in the folded inputs, most important first. */
  public int[] topInputs(int n) {
    double[] importances = failureImportances;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < importances.length; i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(importances[b], importances[a]));
    return order.stream().limit(n).mapToInt(i -> failureInputs[i]).toArray();
  }

  private static double[] select(double[] inputs, int[] at) {
    double[] v = new double[at.length];
    for (int i = 0; i < at.length; i++) {
      double x = inputs[at[i]];
      v[i] = Double.isNaN(x) ? 0 : x;
    }
    return v;
  }

  private static FlatTrees flat(org.apache.spark.ml.tree.DecisionTreeModel[] trees, double[] weights,
      ChampionModels.ModelRef ref) {
    try {
      return FlatTrees.of(trees, weights);
    } catch (IllegalArgumentException e) {
      throw shape(ref, e.getMessage());
    }
  }

  private static <T> T last(PipelineModel p, Class<T> type, ChampionModels.ModelRef ref) {
    Transformer[] stages = p.stages();
    Transformer t = stages[stages.length - 1];
    if (!type.isInstance(t)) {
      throw shape(ref, "its last stage is " + t.getClass().getSimpleName() + ", not " + type.getSimpleName());
    }
    return type.cast(t);
  }

  /** The pipeline's inputs from its SQL stage, as positions in the folded inputs. */
  private int[] inputs(PipelineModel p, ChampionModels.ModelRef ref) {
    Transformer[] stages = p.stages();
    if (stages.length != 3 || !(stages[0] instanceof SQLTransformer sql) || !(stages[1] instanceof VectorAssembler va)) {
      throw shape(ref, "it is not pdm's SQL, assembler and trees pipeline");
    }
    List<String> names = new ArrayList<>();
    Matcher m = INPUT.matcher(sql.getStatement());
    while (m.find()) {
      names.add(m.group(1));
    }
    if (names.size() != va.getInputCols().length) {
      throw shape(ref, "its SQL stage reads " + names.size() + " inputs, its assembler " + va.getInputCols().length);
    }
    int[] at = new int[names.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = inputNames.indexOf(names.get(i));
      if (at[i] < 0) {
        throw shape(ref, "it reads " + names.get(i) + ", which its feature set does not make");
      }
    }
    return at;
  }

  private static RuntimeException shape(ChampionModels.ModelRef ref, String why) {
    return PdmErrors.failure("score the stream with " + ref, why,
        "register a model trained by pdm train (the stream evaluates pdm's pipelines row by row)");
  }
}
