package dev.pdm.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.stream.IdempotentAppend;
import dev.pdm.common.table.Merges;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.TelemetryParser.Format;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
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
 *   <li>{@link Idempotence#sourceKeys}: files. Lines bronze holds already (a file's lines up to
 *       the last one landed from it) are skipped; quarantine is merged on (file, line, reason)
 *       and bronze is appended last, so a run that died half-way is finished by the next.
 * </ul>
 *
 * Silver is always merged insert-only on its key, which makes it idempotent by itself.
 *
 * <p>Classification ({@link Landing}) costs a shuffle of the batch's keys, not of its records,
 * when the keys are new: only records whose key the batch repeats or silver holds go through the
 * window that ranks them. Each pass parses the records again instead of caching them.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * LandingWriter writer = new LandingWriter(spark, warehouse, profile);
 * writer.ensureTables();
 * Counts counts = writer.land(raw, Format.CMAPSS, Idempotence.sourceKeys());
 * </pre>
 */
public final class LandingWriter {

  private static final Logger LOG = LoggerFactory.getLogger(LandingWriter.class);
  /** Set on raw file records whose line bronze holds already. */
  private static final String LANDED = "_landed";
  /** Repeated keys up to this many are broadcast and classified alone (a few MB). */
  static final long MAX_BROADCAST_KEYS = 100_000;

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

  /**
   * Lands {@code raw} (columns of {@link Landing#rawSchema()}). The parsed records are not
   * cached: each pass (counts, repeated keys, the writes) parses them again, which costs less
   * than caching ~40 columns. A micro-batch's records are cached (they come from Kafka); a
   * file's lines are read again by each pass (from the page cache), which costs less than
   * caching millions of lines.
   */
  public Counts land(Dataset<Row> raw, Format format, Idempotence idempotence) {
    boolean files = !idempotence.isTransaction();
    Dataset<Row> input = files ? flagLanded(raw) : raw.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long total = files ? input.count() : -1;
      Dataset<Row> fresh = files ? input.where(not(col(LANDED))).drop(LANDED) : input;
      Dataset<Row> parsed = Landing.parse(fresh, parser, format);
      Batch batch = Batch.of(parsed);
      if (batch.received() == 0) {
        return new Counts(0, 0, 0, 0, 0, Math.max(total, 0));
      }
      Dataset<Row> silver = batch.datasets().isEmpty() ? null
          : warehouse.read(Tables.SILVER_TELEMETRY, "ingest-files").where(col("dataset").isin(batch.datasets().toArray()));
      Dataset<Row> repeated = Landing.repeatedKeys(parsed, silver).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long repeats = repeated.count();
        LOG.info("Keys repeated in the batch or landed before: {}", repeats);
        Dataset<Row> classified = classify(parsed, silver, repeated, repeats);
        long skipped = files ? total - batch.received() : 0;
        Counts counts = repeats == 0
            ? new Counts(batch.received(), batch.valid(), 0, 0, batch.rejected(), skipped)
            : count(classified, skipped);
        write(fresh, classified, counts, batch.datasets(), idempotence);
        LOG.info("Landed {}", counts);
        return counts;
      } finally {
        repeated.unpersist();
      }
    } finally {
      input.unpersist();
    }
  }

  /** Bronze, quarantine and silver: for files, quarantine and silver first and bronze last. */
  private void write(Dataset<Row> raw, Dataset<Row> classified, Counts counts, List<String> datasets,
      Idempotence idempotence) {
    if (idempotence.isTransaction()) {
      appendOnce(Tables.BRONZE_TELEMETRY, Landing.bronzeRows(raw), idempotence);
      if (counts.rejected() + counts.conflicts() > 0) {
        appendOnce(Tables.QUARANTINE, Landing.quarantineRows(classified), idempotence);
      }
      mergeSilver(classified, datasets);
    } else {
      if (counts.rejected() + counts.conflicts() > 0) {
        mergeQuarantine(Landing.quarantineRows(classified));
      }
      mergeSilver(classified, datasets);
      Landing.bronzeRows(raw).write().format("delta").mode("append").save(warehouse.path(Tables.BRONZE_TELEMETRY));
    }
  }

  /**
   * Adds {@link #LANDED}: whether bronze holds the record's line already. A file's lines up to
   * the last line landed from it count as landed (bronze gets a file's lines in one commit, so it
   * holds a prefix of every file, and a file that grows has its new lines landed). Only the
   * input's files are looked up in bronze, and one row per file is broadcast, so a run costs
   * the same however much bronze holds.
   */
  private Dataset<Row> flagLanded(Dataset<Row> raw) {
    List<String> files = new ArrayList<>();
    for (String f : raw.inputFiles()) {
      files.add(f);
      files.add(asMetadataPath(f));
    }
    Dataset<Row> upTo =
        warehouse.read(Tables.BRONZE_TELEMETRY, "ingest-files")
            .where(col("source_type").equalTo("file").and(col("source").isin(files.toArray())))
            .groupBy(col("source").as("_landed_source"))
            .agg(max("source_line").as("_landed_up_to"));
    return raw.join(broadcast(upTo), col("source").equalTo(col("_landed_source")), "left")
        .withColumn(LANDED, coalesce(col("source_line").leq(col("_landed_up_to")), lit(false)))
        .drop("_landed_source", "_landed_up_to");
  }

  /**
   * A file's name as Spark's {@code _metadata.file_path} gives it (URL-encoded, {@code file:/a/b}
   * for {@code file:///a/b}), where {@code inputFiles()} keeps the form the path was given in.
   */
  static String asMetadataPath(String file) {
    URI uri;
    try {
      uri = new URI(file); // inputFiles() gives URL-encoded names
    } catch (URISyntaxException e) {
      uri = new Path(file).toUri();
    }
    String authority = uri.getRawAuthority();
    return uri.getScheme() != null && (authority == null || authority.isEmpty())
        ? uri.getScheme() + ":" + uri.getRawPath()
        : uri.toString();
  }

  /**
   * Classifies the batch: a batch of new keys (the common case) without a window over whole
   * records, a batch with a few repeated keys by classifying those alone, else all of it.
   */
  private Dataset<Row> classify(Dataset<Row> parsed, Dataset<Row> silver, Dataset<Row> repeated, long repeats) {
    if (repeats == 0) {
      return Landing.allNew(parsed);
    }
    if (repeats <= MAX_BROADCAST_KEYS) {
      return Landing.classify(parsed, silver, profile, repeated);
    }
    return Landing.classify(parsed, silver, profile);
  }

  /** What one pass over the parsed batch says: the datasets its valid records name, and counts. */
  private record Batch(List<String> datasets, long valid, long rejected) {
    static Batch of(Dataset<Row> parsed) {
      List<String> datasets = new ArrayList<>();
      long valid = 0;
      long rejected = 0;
      for (Row r : parsed.groupBy(col("reason_code").isNull().as("valid"), col(Landing.RECORD_DATASET))
          .count().collectAsList()) {
        if (r.getBoolean(0)) {
          datasets.add(r.getString(1));
          valid += r.getLong(2);
        } else {
          rejected += r.getLong(2);
        }
      }
      return new Batch(datasets, valid, rejected);
    }

    long received() {
      return valid + rejected;
    }
  }

  private static Counts count(Dataset<Row> classified, long skipped) {
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
    return new Counts(inserted + duplicates + conflicts + rejected, inserted, duplicates, conflicts, rejected, skipped);
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

  private void mergeSilver(Dataset<Row> classified, List<String> names) {
    Dataset<Row> rows = Landing.silverRows(classified, profile);
    List<String> datasets = names.stream().map(d -> "'" + d + "'").toList();
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
