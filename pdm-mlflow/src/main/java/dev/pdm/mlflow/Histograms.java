package dev.pdm.mlflow;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Binned counts of many columns per life-stage band, in one pass over the data: each task counts
 * its rows into one array and Spark adds the arrays up, so what reaches the driver is
 * columns x bands x bins longs whatever the number of rows.
 *
 * <p>Bin {@code i} of a column holds the values in {@code (edges[i-1], edges[i]]}; the bin after the
 * last edge holds what is above it, and one more bin counts nulls and NaNs.
 */
public final class Histograms {

  /**
   * The column that places a row in a life-stage band: its cycle on a cycle fleet, its whole
   * hours of age ({@code age_hours}) on a time fleet, whose cycle is a tick, a date. Rows given to
   * {@link #count} carry it ({@link #bandAt}).
   */
  public static final String BAND_AT = "band_at";

  private Histograms() {}

  /** The {@link #BAND_AT} value of a gold.features row: its cycle, or its whole hours of age when {@code byHours}. */
  public static Column bandAt(boolean byHours) {
    return byHours ? functions.floor(functions.col("age_hours")).cast("int") : functions.col("cycle").cast("int");
  }

  /** Life-stage bands from their upper cycles; the last band is open. */
  public record Bands(int[] upper) implements java.io.Serializable {
    public static Bands parse(String spec) {
      int[] u = Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .mapToInt(Integer::parseInt).toArray();
      for (int i = 1; i < u.length; i++) {
        if (u[i] <= u[i - 1]) {
          throw new IllegalArgumentException("band upper cycles must increase: " + spec);
        }
      }
      return new Bands(u);
    }

    /** The bands of pdm.drift.cycle-bands. */
    public static Bands of(dev.pdm.common.config.PdmConfig config) {
      String spec = config.require(dev.pdm.common.config.PdmConfigKeys.DRIFT_CYCLE_BANDS);
      try {
        Bands b = parse(spec);
        if (b.upper().length > 0 && b.upper()[0] < 1) {
          throw new IllegalArgumentException("cycles start at 1");
        }
        return b;
      } catch (IllegalArgumentException e) {
        throw dev.pdm.common.PdmErrors.badConfigValue(dev.pdm.common.config.PdmConfigKeys.DRIFT_CYCLE_BANDS.name(),
            spec, "increasing upper cycles of the life-stage bands, e.g. 30,60,100,150,200");
      }
    }

    public int count() {
      return upper.length + 1;
    }

    public int of(int cycle) {
      for (int i = 0; i < upper.length; i++) {
        if (cycle <= upper[i]) {
          return i;
        }
      }
      return upper.length;
    }

    public int firstCycle(int band) {
      return band == 0 ? 1 : upper[band - 1] + 1;
    }

    /** Last cycle of a band; null for the open last band. */
    public Integer lastCycle(int band) {
      return band < upper.length ? upper[band] : null;
    }
  }

  /** The bin of a value: edges.length + 1 for null or NaN. */
  public static int bin(double[] edges, Double value) {
    if (value == null || value.isNaN()) {
      return edges.length + 1;
    }
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (value <= edges[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * Counts {@code [column][band][bin]} of {@code columns} of {@code rows} (which must have
   * {@link #BAND_AT}), binned at {@code edges[column]}.
   */
  public static long[][][] count(Dataset<Row> rows, List<String> columns, double[][] edges, Bands bands) {
    Column[] select = new Column[columns.size() + 1];
    select[0] = functions.col(BAND_AT).cast("int");
    for (int c = 0; c < columns.size(); c++) {
      select[c + 1] = functions.col("`" + columns.get(c) + "`").cast("double");
    }
    int[] offsets = new int[columns.size() + 1];
    for (int c = 0; c < columns.size(); c++) {
      offsets[c + 1] = offsets[c] + bands.count() * (edges[c].length + 2);
    }
    int size = offsets[columns.size()];
    long[] total = rows.select(select).javaRDD()
        .mapPartitions((Iterator<Row> it) -> {
          long[] counts = new long[size];
          while (it.hasNext()) {
            Row r = it.next();
            int band = bands.of(r.isNullAt(0) ? 1 : r.getInt(0));
            for (int c = 0; c < edges.length; c++) {
              int width = edges[c].length + 2;
              Double v = r.isNullAt(c + 1) ? null : r.getDouble(c + 1);
              counts[offsets[c] + band * width + bin(edges[c], v)]++;
            }
          }
          return List.of(counts).iterator();
        })
        .fold(new long[size], Histograms::add);
    long[][][] out = new long[columns.size()][bands.count()][];
    for (int c = 0; c < columns.size(); c++) {
      int width = edges[c].length + 2;
      for (int b = 0; b < bands.count(); b++) {
        out[c][b] = Arrays.copyOfRange(total, offsets[c] + b * width, offsets[c] + (b + 1) * width);
      }
    }
    return out;
  }

  private static long[] add(long[] a, long[] b) {
    long[] s = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      s[i] = a[i] + b[i];
    }
    return s;
  }
}
