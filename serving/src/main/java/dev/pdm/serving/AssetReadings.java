package dev.pdm.serving;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pdm.common.table.Tables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.StructField;

/**
 * Each asset's latest readings from silver.telemetry, in memory: its last {@code cycles} cycles of
 * every sensor (the reading columns of silver: its double columns), for the dashboard's sensor
 * trends. Folded from silver's commits like the other tables of the {@link FleetView}; what reaches
 * the driver is cut in Spark to the newest {@code cycles} rows of each asset.
 *
 * <p>Bounded: assets times {@code cycles} times sensors doubles. Readings without a cycle (a time
 * fleet's) are not kept.
 *
 * <p>Usage:
 * <pre>{@code
 * AssetReadings readings = new AssetReadings(50);
 * readings.fold(silverBatch);
 * Optional<AssetReadings.Trend> t = readings.trend(new FleetView.Key("FD001", "FD001-test-7"));
 * }</pre>
 */
final class AssetReadings {

  /** {@code GET /api/v1/assets/{asset_id}/readings}: cycles oldest first, each sensor's values on them. */
  record Trend(@JsonProperty("dataset") String dataset, @JsonProperty("asset_id") String assetId,
      @JsonProperty("cycles") List<Integer> cycles, @JsonProperty("values") Map<String, List<Double>> values) {}

  private static final Set<String> FIXED = Set.of(Tables.SILVER_TELEMETRY.schema().fieldNames());

  /** One asset's kept readings: cycle -> values in the order of {@code sensors} (NaN: missing). */
  private record Kept(List<String> sensors, TreeMap<Integer, double[]> byCycle) {}

  private final int cycles;
  private final Map<FleetView.Key, Kept> assets = new ConcurrentHashMap<>();

  AssetReadings(int cycles) {
    this.cycles = cycles;
  }

  void fold(Dataset<Row> batch) {
    List<String> sensors = Arrays.stream(batch.schema().fields())
        .filter(f -> f.dataType() instanceof DoubleType && !FIXED.contains(f.name()))
        .map(StructField::name).toList();
    List<Column> select = new ArrayList<>(List.of(col("dataset"), col("asset_id"), col("cycle")));
    sensors.forEach(s -> select.add(col(s)));
    List<Row> rows = batch.where(col("cycle").isNotNull())
        .withColumn("_n", row_number().over(Window.partitionBy("dataset", "asset_id").orderBy(col("cycle").desc())))
        .where(col("_n").leq(cycles))
        .select(select.toArray(Column[]::new))
        .collectAsList();
    Map<FleetView.Key, TreeMap<Integer, double[]>> fresh = new LinkedHashMap<>();
    for (Row r : rows) {
      double[] v = new double[sensors.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.isNullAt(3 + i) ? Double.NaN : r.getDouble(3 + i);
      }
      fresh.computeIfAbsent(new FleetView.Key(r.getString(0), r.getString(1)), k -> new TreeMap<>())
          .put(r.getInt(2), v);
    }
    fresh.forEach((key, byCycle) -> assets.merge(key, new Kept(sensors, byCycle), this::merge));
  }

  /** The newer fold wins on a cycle both hold; the columns are the newer fold's (silver's schema only grows). */
  private Kept merge(Kept old, Kept fresh) {
    TreeMap<Integer, double[]> all = new TreeMap<>();
    if (old.sensors().equals(fresh.sensors())) {
      all.putAll(old.byCycle());
    } else {
      old.byCycle().forEach((cycle, v) -> all.put(cycle, realign(old.sensors(), v, fresh.sensors())));
    }
    all.putAll(fresh.byCycle());
    while (all.size() > cycles) {
      all.pollFirstEntry();
    }
    return new Kept(fresh.sensors(), all);
  }

  private static double[] realign(List<String> from, double[] v, List<String> to) {
    double[] out = new double[to.size()];
    for (int i = 0; i < out.length; i++) {
      int j = from.indexOf(to.get(i));
      out[i] = j < 0 ? Double.NaN : v[j];
    }
    return out;
  }

  /** The asset's trend: the sensors it has a reading of, in silver's column order; null where a cycle lacks one. */
  Optional<Trend> trend(FleetView.Key key) {
    Kept k = assets.get(key);
    if (k == null) {
      return Optional.empty();
    }
    List<Integer> cycleList = List.copyOf(k.byCycle().keySet());
    Map<String, List<Double>> values = new LinkedHashMap<>();
    for (int i = 0; i < k.sensors().size(); i++) {
      int s = i;
      List<Double> series = k.byCycle().values().stream().map(v -> Double.isNaN(v[s]) ? null : v[s])
          .collect(Collectors.toList());
      if (series.stream().anyMatch(v -> v != null)) {
        values.put(k.sensors().get(i), series);
      }
    }
    return Optional.of(new Trend(key.dataset(), key.assetId(), cycleList, values));
  }
}
