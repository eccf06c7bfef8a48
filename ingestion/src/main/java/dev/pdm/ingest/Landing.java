package dev.pdm.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.table.Tables;
import dev.pdm.ingest.TelemetryParser.Format;
import dev.pdm.ingest.TelemetryParser.Parsed;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The pure transforms of landing: raw records (source columns and payload, the bronze shape
 * without its timestamps) are parsed, validated and classified against what silver already holds.
 * {@link LandingWriter} does the I/O.
 *
 * <p>Classification of a valid record, by its key (asset_id, cycle, which is a time fleet's tick;
 * or asset_id, event_time when there is no cycle): {@code INSERT} when the key is new; {@code DUPLICATE} when the key is landed
 * already (in silver, or earlier in the same batch) with the same readings, dropped and counted;
 * {@code CONFLICT} when the readings differ, quarantined. The first record of a key wins.
 */
public final class Landing {

  public static final String STATUS = "landing_status";
  public static final String INSERT = "INSERT";
  public static final String DUPLICATE = "DUPLICATE";
  public static final String CONFLICT = "CONFLICT";
  public static final String REJECT = "REJECT";
  /** 1 for the first valid record of a key in the batch (by source order). */
  public static final String RANK = "landing_rank";

  /** The columns parsing adds to the raw record. */
  static final String ASSET = "asset_id";
  static final String RECORD_DATASET = "record_dataset";
  private static final String K_DATASET = "_k_dataset";
  private static final String K_ASSET = "_k_asset";
  private static final String K_CYCLE = "_k_cycle";
  private static final String K_TIME = "_k_time";

  private Landing() {}

  /** The raw columns: bronze's source columns and payload. */
  public static StructType rawSchema() {
    StructType out = new StructType();
    for (var f : Tables.BRONZE_TELEMETRY.schema().fields()) {
      if (!f.name().equals("ingested_at") && !f.name().equals("ingest_date")) {
        out = out.add(f);
      }
    }
    return out;
  }

  /** Raw records plus asset_id, record_dataset, cycle, event_time, readings, reason_code, reason. */
  public static Dataset<Row> parse(Dataset<Row> raw, TelemetryParser parser, Format format) {
    StructType in = raw.schema();
    StructType out = in.add(ASSET, DataTypes.StringType)
        .add(RECORD_DATASET, DataTypes.StringType)
        .add("cycle", DataTypes.IntegerType)
        .add("event_time", DataTypes.TimestampType);
    List<DatasetProfile.Column> readings = parser.profile().readings();
    for (DatasetProfile.Column c : readings) {
      out = out.add(c.name(), DataTypes.DoubleType);
    }
    out = out.add("reason_code", DataTypes.StringType).add("reason", DataTypes.StringType);
    int payload = in.fieldIndex("payload");
    int dataset = in.fieldIndex("dataset");
    int split = in.fieldIndex("split");
    int width = in.size();
    MapPartitionsFunction<Row, Row> fn =
        (Iterator<Row> rows) ->
            new Iterator<>() {
              @Override
              public boolean hasNext() {
                return rows.hasNext();
              }

              @Override
              public Row next() {
                Row r = rows.next();
                Parsed p = parser.parse(format, r.getString(payload), r.getString(dataset), r.getString(split));
                Object[] values = new Object[width + 6 + readings.size()];
                for (int i = 0; i < width; i++) {
                  values[i] = r.get(i);
                }
                int i = width;
                values[i++] = p.assetId;
                values[i++] = p.dataset;
                values[i++] = p.cycle;
                values[i++] = p.eventTime;
                for (Double d : p.readings) {
                  values[i++] = p.reason == null ? d : null;
                }
                values[i++] = p.reason == null ? null : p.reason.name();
                values[i] = p.message;
                return RowFactory.create(values);
              }
            };
    return raw.mapPartitions(fn, Encoders.row(out));
  }

  /**
   * Adds {@link #STATUS} to parsed records: REJECT, INSERT, DUPLICATE or CONFLICT. {@code silver}
   * is the current silver table (null when it does not exist yet); only its key, readings and
   * source are read. Conflicts get reason_code CONFLICTING_DUPLICATE and a reason.
   */
  public static Dataset<Row> classify(Dataset<Row> parsed, Dataset<Row> silver, DatasetProfile profile) {
    Column readings = readingsJson(profile);
    Column timeKey = timeKey();
    Dataset<Row> valid =
        parsed.where(col("reason_code").isNull())
            .withColumn("_rjson", readings)
            .withColumn("_tk", timeKey)
            .withColumn("_src", sourceDescription());
    // The first record of a key stays: a file's first line, or the first sent to Kafka. Kafka orders
    // records within a partition only, so the record timestamp comes before partition and offset
    // (a keyless producer spreads one sender's records over the partitions).
    WindowSpec byKey =
        Window.partitionBy(col(RECORD_DATASET), col(ASSET), col("cycle"), col("_tk"))
            .orderBy(col("source"), col("source_line"), col("kafka_timestamp"), col("kafka_partition"),
                col("kafka_offset"));
    valid =
        valid.withColumn("_rank", row_number().over(byKey))
            .withColumn("_first_json", first(col("_rjson")).over(byKey))
            .withColumn("_first_src", first(col("_src")).over(byKey));
    if (silver != null) {
      Dataset<Row> landed =
          silver.select(
              col("dataset").as("_s_dataset"),
              col("asset_id").as("_s_asset"),
              col("cycle").as("_s_cycle"),
              timeKey.as("_s_tk"),
              readings.as("_s_json"),
              col("source").as("_s_src"));
      valid =
          valid.join(
              landed,
              col(RECORD_DATASET).equalTo(col("_s_dataset"))
                  .and(col(ASSET).equalTo(col("_s_asset")))
                  .and(col("cycle").eqNullSafe(col("_s_cycle")))
                  .and(col("_tk").eqNullSafe(col("_s_tk"))),
              "left");
    } else {
      valid =
          valid.withColumn("_s_json", lit(null).cast("string"))
              .withColumn("_s_src", lit(null).cast("string"));
    }
    Column status =
        when(col("_s_json").isNotNull(),
                when(col("_rjson").equalTo(col("_s_json")), lit(DUPLICATE)).otherwise(lit(CONFLICT)))
            .when(col("_rank").equalTo(1), lit(INSERT))
            .when(col("_rjson").equalTo(col("_first_json")), lit(DUPLICATE))
            .otherwise(lit(CONFLICT));
    boolean ticks = profile.clock() == DatasetProfile.Clock.TIME;
    Column keyText = ticks
        ? concat(lit("tick "), col("cycle").cast("string"), lit(" (event_time "), col("event_time").cast("string"),
            lit(", interval " + profile.intervalMillis() + " ms)"))
        : when(col("cycle").isNotNull(), concat(lit("cycle "), col("cycle").cast("string")))
            .otherwise(concat(lit("event_time "), col("event_time").cast("string")));
    // two readings of a time fleet's asset within one interval share a tick: the profile's
    // interval is longer than the sensors' period
    String fix = ticks ? "; the first record stays (readings closer than the profile's interval share a tick:"
        + " set interval= in profile " + profile.name() + " to the sensors' period)" : "; the first record stays";
    Dataset<Row> classified =
        valid.withColumn(STATUS, status)
            .withColumn(
                "reason_code",
                when(col(STATUS).equalTo(CONFLICT), lit(RejectReason.CONFLICTING_DUPLICATE.name())))
            .withColumn(
                "reason",
                when(col(STATUS).equalTo(CONFLICT),
                    concat(lit("asset "), col(ASSET), lit(" "), keyText,
                        lit(" was landed before with other readings, from "),
                        coalesce(col("_s_src"), col("_first_src")),
                        lit(fix)))
            )
            .withColumn(RANK, col("_rank"))
            .select(columns(parsed, STATUS, RANK));
    Dataset<Row> rejected =
        parsed.where(col("reason_code").isNotNull())
            .withColumn(STATUS, lit(REJECT))
            .withColumn(RANK, lit(null).cast("int"));
    return classified.unionByName(rejected);
  }

  /**
   * The keys of valid records that the batch repeats or silver holds already: the only records
   * {@link #classify} can find anything but INSERT for. Keys only are shuffled (not the
   * readings), so a batch of new keys, the common case, is classified without the window over
   * whole records. {@code silver}: as for {@link #classify}.
   */
  public static Dataset<Row> repeatedKeys(Dataset<Row> parsed, Dataset<Row> silver) {
    Dataset<Row> keys =
        parsed.where(col("reason_code").isNull())
            .select(col(RECORD_DATASET).as(K_DATASET), col(ASSET).as(K_ASSET), col("cycle").as(K_CYCLE),
                timeKey().as(K_TIME), lit(1L).as("_in_batch"));
    if (silver != null) {
      keys = keys.unionByName(
          silver.select(col("dataset").as(K_DATASET), col("asset_id").as(K_ASSET), col("cycle").as(K_CYCLE),
              timeKey().as(K_TIME), lit(0L).as("_in_batch")));
    }
    return keys.groupBy(K_DATASET, K_ASSET, K_CYCLE, K_TIME)
        .agg(sum("_in_batch").as("_n_batch"), count(lit(1)).as("_n"))
        .where(col("_n_batch").geq(1).and(col("_n").geq(2)))
        .select(K_DATASET, K_ASSET, K_CYCLE, K_TIME);
  }

  /**
   * As {@link #classify}, given the batch's {@link #repeatedKeys} (small enough to broadcast):
   * records of other keys are INSERTs without further work; the rest, and the silver rows of
   * their keys, go through {@link #classify}.
   */
  public static Dataset<Row> classify(
      Dataset<Row> parsed, Dataset<Row> silver, DatasetProfile profile, Dataset<Row> repeated) {
    Dataset<Row> keys = broadcast(repeated.withColumn("_repeated", lit(true)));
    Dataset<Row> flagged =
        parsed.join(keys, isRepeatedKey(col(RECORD_DATASET), col(ASSET)).and(col("reason_code").isNull()), "left")
            .withColumn("_repeated", coalesce(col("_repeated"), lit(false)));
    Dataset<Row> suspects = flagged.where(col("_repeated")).select(columns(parsed));
    Dataset<Row> others = flagged.where(not(col("_repeated"))).select(columns(parsed));
    Dataset<Row> landed = silver == null ? null
        : silver.join(keys, isRepeatedKey(col("dataset"), col("asset_id")), "left_semi");
    return classify(suspects, landed, profile).unionByName(allNew(others));
  }

  /** A record's key (dataset, asset, cycle, time key) equals a {@link #repeatedKeys} row's. */
  private static Column isRepeatedKey(Column dataset, Column asset) {
    return dataset.eqNullSafe(col(K_DATASET))
        .and(asset.eqNullSafe(col(K_ASSET)))
        .and(col("cycle").eqNullSafe(col(K_CYCLE)))
        .and(timeKey().eqNullSafe(col(K_TIME)));
  }

  /** The key's time part: event_time when there is no cycle (a record keyed by time), else null. */
  private static Column timeKey() {
    return when(col("cycle").isNull(), col("event_time"));
  }

  /** Classified records of a batch whose valid keys are new and unique: INSERT, or REJECT. */
  public static Dataset<Row> allNew(Dataset<Row> parsed) {
    Column valid = col("reason_code").isNull();
    return parsed.withColumn(STATUS, when(valid, lit(INSERT)).otherwise(lit(REJECT)))
        .withColumn(RANK, when(valid, lit(1)).otherwise(lit(null).cast("int")));
  }

  /**
   * The candidate silver rows, in silver's column order: the first valid record of each key in
   * the batch. They are merged insert-only, so a key silver holds already is never written twice;
   * this does not depend on a second read of silver.
   */
  public static Dataset<Row> silverRows(Dataset<Row> classified, DatasetProfile profile) {
    List<Column> cols = new ArrayList<>();
    for (var f : Tables.silverSchema(profile).fields()) {
      switch (f.name()) {
        case "dataset" -> cols.add(col(RECORD_DATASET).as("dataset"));
        case "source" -> cols.add(sourceDescription().as("source"));
        case "ingested_at" -> cols.add(current_timestamp().as("ingested_at"));
        default -> cols.add(col(f.name()));
      }
    }
    return classified.where(col(RANK).equalTo(1)).select(cols.toArray(new Column[0]));
  }

  /** The quarantine rows of classified records (REJECT and CONFLICT). */
  public static Dataset<Row> quarantineRows(Dataset<Row> classified) {
    List<Column> cols = new ArrayList<>();
    for (var f : Tables.QUARANTINE.schema().fields()) {
      switch (f.name()) {
        case "ingested_at" -> cols.add(current_timestamp().as("ingested_at"));
        case "ingest_date" -> cols.add(to_date(current_timestamp()).as("ingest_date"));
        default -> cols.add(col(f.name()));
      }
    }
    return classified.where(col(STATUS).isin(REJECT, CONFLICT)).select(cols.toArray(new Column[0]));
  }

  /** Bronze rows: every raw record with its landing time. */
  public static Dataset<Row> bronzeRows(Dataset<Row> raw) {
    List<Column> cols = new ArrayList<>();
    for (String name : rawSchema().fieldNames()) {
      cols.add(col(name));
    }
    cols.add(current_timestamp().as("ingested_at"));
    cols.add(to_date(current_timestamp()).as("ingest_date"));
    return raw.select(cols.toArray(new Column[0]));
  }

  /** {@code <file>:<line>} or {@code kafka:<topic>/<partition>/<offset>}. */
  static Column sourceDescription() {
    return when(col("source_type").equalTo("kafka"),
            concat(lit("kafka:"), col("source"), lit("/"), col("kafka_partition").cast("string"),
                lit("/"), col("kafka_offset").cast("string")))
        .otherwise(concat(col("source"), lit(":"), col("source_line").cast("string")));
  }

  private static Column readingsJson(DatasetProfile profile) {
    List<Column> fields = new ArrayList<>();
    for (DatasetProfile.Column c : profile.readings()) {
      fields.add(col(c.name()));
    }
    return to_json(struct(fields.toArray(new Column[0])));
  }

  private static Column[] columns(Dataset<Row> parsed, String... extra) {
    List<Column> cols = new ArrayList<>();
    for (String name : parsed.columns()) {
      cols.add(col(name));
    }
    for (String name : extra) {
      cols.add(col(name));
    }
    return cols.toArray(new Column[0]);
  }
}
