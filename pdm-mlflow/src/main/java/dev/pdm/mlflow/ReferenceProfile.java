package dev.pdm.mlflow;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What a model was trained on, kept to detect drift later: for every feature and for the
 * out-of-fold predicted RUL, the 1st to 99th percentiles of the training rows as bin edges, and the
 * rows per bin in each life-stage band. Stored with the training run (rows in
 * {@code ops.reference_profiles} and the artifact {@code reference_profile.json}).
 *
 * <p>Out-of-fold predictions, not in-sample ones: a model's predictions on its own training rows
 * are better than it will ever do again, and would make every later window look drifted.
 */
public record ReferenceProfile(String runId, String dataset, int featureSetVersion, Histograms.Bands bands,
    Map<String, Entry> features, Entry prediction) {

  public static final String FEATURE = "feature";
  public static final String PREDICTION = "prediction";
  public static final String PREDICTED_RUL = "predicted_rul";

  /** 1st to 99th percentile. */
  static final double[] PROBABILITIES = java.util.stream.IntStream.rangeClosed(1, 99).mapToDouble(i -> i / 100.0)
      .toArray();

  /** One column: edges and {@code counts[band][bin]} (last bin: missing values). */
  public record Entry(String name, double[] edges, long[][] counts) {
    public long rows(int band) {
      return Arrays.stream(counts[band]).sum();
    }

    public long rows() {
      return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    }
  }

  /**
   * Profiles training rows: {@code features} rows with the feature columns and
   * {@link Histograms#BAND_AT}, and {@code predictions} rows with it and the {@code predicted} column.
   */
  public static ReferenceProfile build(String runId, String dataset, int featureSetVersion, Histograms.Bands bands,
      Dataset<Row> features, List<String> names, Dataset<Row> predictions, String predicted) {
    Map<String, Entry> entries = profile(features, names, bands);
    Entry prediction = profile(predictions.withColumnRenamed(predicted, PREDICTED_RUL), List.of(PREDICTED_RUL), bands)
        .get(PREDICTED_RUL);
    return new ReferenceProfile(runId, dataset, featureSetVersion, bands, entries, prediction);
  }

  private static Map<String, Entry> profile(Dataset<Row> rows, List<String> names, Histograms.Bands bands) {
    // A cycle fleet's cycle is a feature too; the band is its own column.
    List<org.apache.spark.sql.Column> columns = new ArrayList<>();
    columns.add(col(Histograms.BAND_AT));
    names.forEach(n -> columns.add(col("`" + n + "`").cast(n.equals("cycle") ? "int" : "double")));
    Dataset<Row> doubles = rows.select(columns.toArray(org.apache.spark.sql.Column[]::new));
    double[][] edges = doubles.stat().approxQuantile(names.toArray(String[]::new), PROBABILITIES, 0.001);
    for (int i = 0; i < edges.length; i++) {
      if (edges[i].length == 0) {
        edges[i] = new double[] {0.0}; // a column without any value: everything counts as missing
      }
    }
    long[][][] counts = Histograms.count(doubles, names, edges, bands);
    Map<String, Entry> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), new Entry(names.get(i), edges[i], counts[i]));
    }
    return out;
  }

  /** Appends the profile to {@code ops.reference_profiles}. */
  public void store(Warehouse warehouse) {
    warehouse.ensure(Tables.OPS_REFERENCE_PROFILES, Tables.OPS_REFERENCE_PROFILES.schema());
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> rows = new ArrayList<>();
    for (Entry e : features.values()) {
      addRows(rows, FEATURE, e, now);
    }
    addRows(rows, PREDICTION, prediction, now);
    SparkSession spark = warehouse.spark();
    spark.createDataFrame(rows, Tables.OPS_REFERENCE_PROFILES.schema()).coalesce(1)
        .write().format("delta").mode("append").save(warehouse.path(Tables.OPS_REFERENCE_PROFILES));
  }

  private void addRows(List<Row> rows, String kind, Entry e, Timestamp now) {
    List<Double> edges = Arrays.stream(e.edges()).boxed().toList();
    for (int b = 0; b < bands.count(); b++) {
      rows.add(RowFactory.create(runId, dataset, featureSetVersion, kind, e.name(), b, bands.firstCycle(b),
          bands.lastCycle(b), CollectionConverters.asScala(edges).toSeq(),
          CollectionConverters.asScala(Arrays.stream(e.counts()[b]).boxed().toList()).toSeq(), e.rows(b), now));
    }
  }

  /** The profile of a training run, from {@code ops.reference_profiles}. */
  public static ReferenceProfile load(Warehouse warehouse, String runId, String model) {
    String fix = "train the model again (pdm train --dataset ...): models trained before reference profiles"
        + " existed have none";
    if (!warehouse.exists(Tables.OPS_REFERENCE_PROFILES)) {
      throw PdmErrors.failure("compare " + model + " with its reference", "the warehouse has no "
          + Tables.OPS_REFERENCE_PROFILES.name() + " table", fix);
    }
    List<Row> rows = warehouse.read(Tables.OPS_REFERENCE_PROFILES, "pdm train").where(col("run_id").equalTo(runId))
        .orderBy("kind", "name", "band").collectAsList();
    if (rows.isEmpty()) {
      throw PdmErrors.failure("compare " + model + " with its reference", "ops.reference_profiles has no rows of"
          + " its training run " + runId, fix);
    }
    Row first = rows.get(0);
    int bandCount = rows.stream().mapToInt(r -> r.getInt(r.fieldIndex("band"))).max().orElse(0) + 1;
    int[] upper = new int[bandCount - 1];
    Map<String, long[][]> counts = new LinkedHashMap<>();
    Map<String, double[]> edges = new LinkedHashMap<>();
    Map<String, String> kinds = new LinkedHashMap<>();
    for (Row r : rows) {
      String name = r.getString(r.fieldIndex("name"));
      int band = r.getInt(r.fieldIndex("band"));
      if (band < upper.length) {
        upper[band] = r.getInt(r.fieldIndex("band_last_cycle"));
      }
      kinds.put(name, r.getString(r.fieldIndex("kind")));
      edges.computeIfAbsent(name, k -> r.<Double>getList(r.fieldIndex("edges")).stream()
          .mapToDouble(Double::doubleValue).toArray());
      counts.computeIfAbsent(name, k -> new long[bandCount][])[band] = r.<Long>getList(r.fieldIndex("counts"))
          .stream().mapToLong(Long::longValue).toArray();
    }
    Map<String, Entry> features = new LinkedHashMap<>();
    Entry prediction = null;
    for (var e : counts.entrySet()) {
      Entry entry = new Entry(e.getKey(), edges.get(e.getKey()), e.getValue());
      if (kinds.get(e.getKey()).equals(PREDICTION)) {
        prediction = entry;
      } else {
        features.put(e.getKey(), entry);
      }
    }
    return new ReferenceProfile(runId, first.getString(first.fieldIndex("dataset")),
        first.getInt(first.fieldIndex("feature_set_version")), new Histograms.Bands(upper), features, prediction);
  }

  /** The profile as JSON (the MLflow artifact). */
  public byte[] toJson() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("run_id", runId).put("dataset", dataset)
        .put("feature_set_version", featureSetVersion)
        .put("bins", "bin i holds (edges[i-1], edges[i]]; the last count is missing values");
    ArrayNode b = root.putArray("band_upper_cycles");
    Arrays.stream(bands.upper()).forEach(b::add);
    ArrayNode cols = root.putArray("columns");
    features.values().forEach(e -> entryJson(cols.addObject().put("kind", FEATURE), e));
    entryJson(cols.addObject().put("kind", PREDICTION), prediction);
    try {
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void entryJson(ObjectNode node, Entry e) {
    node.put("name", e.name());
    ArrayNode edges = node.putArray("edges");
    Arrays.stream(e.edges()).forEach(edges::add);
    ArrayNode counts = node.putArray("counts_per_band");
    for (long[] band : e.counts()) {
      ArrayNode a = counts.addArray();
      Arrays.stream(band).forEach(a::add);
    }
  }
}
