package dev.pdm.ingest;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.stream.IdempotentAppend;
import dev.pdm.common.table.Merges;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.TelemetryParser.Format;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lands a batch of raw records in bronze, quarantine and silver, exactly once.
 *
 * <p>Two ways to make a retried batch harmless:
 *
 * <ul>
 *   <li>{@link Idempotence#transaction}: a streaming micro-batch. Bronze and quarantine are
 *       appended with Delta's idempotent-write options ({@code txnAppId}, {@code txnVersion} = the
 *       batch id), so a batch replayed after a crash is skipped where it was committed before.
 *   <li>{@link Idempotence#sourceKeys}: files. Lines whose (file, line) bronze holds already are
 *       skipped; quarantine is merged on (file, line, reason) and bronze is appended last, so a
 *       run that died half-way is finished by the next.
 * </ul>
 *
 * Silver is always merged insert-only on its key, which makes it idempotent by itself.
 */
public final class LandingWriter {

  private static final Logger LOG = LoggerFactory.getLogger(LandingWriter.class);

  /** How a retried batch is recognised. */
  public record Idempotence(String appId, long version, boolean replayPossible) {
    /** Appends of micro-batch {@code version}; {@code replayPossible}: see {@link IdempotentAppend}. */
    public static Idempotence transaction(String appId, long version, boolean replayPossible) {
      return new Idempotence(appId, version, replayPossible);
    }

    public static Idempotence sourceKeys() {
      return new Idempotence(null, -1, true);
    }

    boolean isTransaction() {
      return appId != null;
    }
  }

  /** What one landing did. {@code skipped}: lines landed by an earlier run (files). */
  public record Counts(
      long received, long inserted, long duplicates, long conflicts, long rejected, long skipped) {

    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

    public Counts plus(Counts o) {
      return new Counts(
          received + o.received, inserted + o.inserted, duplicates + o.duplicates,
          conflicts + o.conflicts, rejected + o.rejected, skipped + o.skipped);
    }

    @Override
    public String toString() {
      return "received " + received + ", silver +" + inserted + ", duplicates dropped " + duplicates
          + ", conflicts " + conflicts + ", rejected " + rejected
          + (skipped > 0 ? ", already landed " + skipped : "");
    }
  }

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final DatasetProfile profile;
  private final TelemetryParser parser;

  public LandingWriter(SparkSession spark, Warehouse warehouse, DatasetProfile profile) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.profile = profile;
    this.parser = new TelemetryParser(profile);
  }

  /** Creates the landing tables when missing, with silver's columns from the profile. */
  public void ensureTables() {
    warehouse.ensure(Tables.BRONZE_TELEMETRY, Tables.BRONZE_TELEMETRY.schema());
    warehouse.ensure(Tables.QUARANTINE, Tables.QUARANTINE.schema());
    warehouse.ensure(Tables.SILVER_TELEMETRY, Tables.silverSchema(profile));
  }

  /** Lands {@code raw} (columns of {@link Landing#rawSchema()}). */
  public Counts land(Dataset<Row> raw, Format format, Idempotence idempotence) {
    long total = -1;
    if (!idempotence.isTransaction()) {
      total = raw.count();
      Dataset<Row> landed =
          warehouse.read(Tables.BRONZE_TELEMETRY, "ingest-files").select("source", "source_line");
      raw = raw.join(landed, raw.col("source").equalTo(landed.col("source"))
          .and(raw.col("source_line").equalTo(landed.col("source_line"))), "left_anti");
    }
    raw = raw.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> parsed = Landing.parse(raw, parser, format);
      Dataset<Row> silver = silverOf(parsed);
      Dataset<Row> classified =
          Landing.classify(parsed, silver, profile).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Counts counts = count(classified, total);
        if (counts.received() == 0) {
          return counts;
        }
        if (idempotence.isTransaction()) {
          appendOnce(Tables.BRONZE_TELEMETRY, Landing.bronzeRows(raw), idempotence);
          if (counts.rejected() + counts.conflicts() > 0) {
            appendOnce(Tables.QUARANTINE, Landing.quarantineRows(classified), idempotence);
          }
          mergeSilver(classified);
        } else {
          if (counts.rejected() + counts.conflicts() > 0) {
            mergeQuarantine(Landing.quarantineRows(classified));
          }
          mergeSilver(classified);
          Landing.bronzeRows(raw).write().format("delta").mode("append").save(warehouse.path(Tables.BRONZE_TELEMETRY));
        }
        LOG.info("Landed {}", counts);
        return counts;
      } finally {
        classified.unpersist();
      }
    } finally {
      raw.unpersist();
    }
  }

  private Dataset<Row> silverOf(Dataset<Row> parsed) {
    List<String> datasets =
        parsed.where(col("reason_code").isNull()).select(Landing.RECORD_DATASET).distinct()
            .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toList());
    if (datasets.isEmpty()) {
      return null;
    }
    return warehouse.read(Tables.SILVER_TELEMETRY, "ingest-files")
        .where(col("dataset").isin(datasets.toArray()));
  }

  private static Counts count(Dataset<Row> classified, long total) {
    long inserted = 0, duplicates = 0, conflicts = 0, rejected = 0;
    for (Row r : classified.groupBy(Landing.STATUS).count().collectAsList()) {
      long n = r.getLong(1);
      switch (r.getString(0)) {
        case Landing.INSERT -> inserted = n;
        case Landing.DUPLICATE -> duplicates = n;
        case Landing.CONFLICT -> conflicts = n;
        default -> rejected = n;
      }
    }
    long received = inserted + duplicates + conflicts + rejected;
    return new Counts(received, inserted, duplicates, conflicts, rejected,
        total < 0 ? 0 : total - received);
  }

  private void appendOnce(dev.pdm.common.table.TableDef table, Dataset<Row> rows, Idempotence idem) {
    IdempotentAppend.append(rows, warehouse.path(table), idem.appId(), idem.version(), idem.replayPossible());
  }

  private void mergeQuarantine(Dataset<Row> rows) {
    warehouse.delta(Tables.QUARANTINE).as("t")
        .merge(rows.as("s"),
            "t.source = s.source AND t.source_line <=> s.source_line"
                + " AND t.kafka_partition <=> s.kafka_partition AND t.kafka_offset <=> s.kafka_offset"
                + " AND t.reason_code = s.reason_code")
        .whenNotMatched().insertAll()
        .execute();
  }

  private void mergeSilver(Dataset<Row> classified) {
    Dataset<Row> rows = Landing.silverRows(classified, profile);
    List<String> datasets =
        classified.where(col(Landing.RANK).equalTo(1)).select(Landing.RECORD_DATASET).distinct()
            .collectAsList().stream().map(r -> "'" + r.getString(0) + "'").toList();
    if (datasets.isEmpty()) {
      return;
    }
    // The literal dataset list lets Delta prune silver's partitions.
    warehouse.delta(Tables.SILVER_TELEMETRY).as("t")
        .merge(rows.as("s"),
            "t.dataset IN (" + String.join(", ", datasets) + ") AND t.dataset = s.dataset"
                + " AND t.asset_id = s.asset_id AND t.cycle <=> s.cycle"
                + " AND (s.cycle IS NOT NULL OR t.event_time <=> s.event_time)")
        // the rows carry their own profile's readings; another profile's columns stay null
        .whenNotMatched().insertExpr(Merges.insertOwnColumns(rows))
        .execute();
  }
}
