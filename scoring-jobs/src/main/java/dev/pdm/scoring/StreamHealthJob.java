package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.sql.Timestamp;
import java.time.Duration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;

/**
 * Is a streaming job alive and making progress? Reads {@code ops.stream_metrics}: the job's latest
 * micro-batch must have committed within {@code --max-age}, and the batches of that last period
 * must have read rows. Exit code 0 when healthy, 1 (with the reason) when not, so a scheduler's
 * task fails and alerts. A topic that is quiet for longer than {@code --max-age} reads as stalled:
 * choose the age above the longest normal gap between events.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.scoring.StreamHealthJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm [--job score-stream] [--dataset FD001] [--max-age-minutes 15]
 * </pre>
 */
public final class StreamHealthJob {

  /** Validated options. */
  public record Options(PdmConfig config, String job, String dataset, int maxAgeMinutes) {
    public Options {
      if (!job.equals("score-stream") && !job.equals("ingest-stream")) {
        throw PdmErrors.badValue("--job", job, "score-stream or ingest-stream");
      }
      if (dataset != null) {
        Names.requireDataset(dataset);
      }
      if (maxAgeMinutes < 1) {
        throw PdmErrors.badValue("--max-age-minutes", Integer.toString(maxAgeMinutes), "1 or more");
      }
    }
  }

  /** The latest batch and the period's progress. */
  public record Result(String job, Timestamp lastCommit, long ageSeconds, long batches, long inputRows,
      boolean healthy, String reason) implements JobResult {
    @Override
    public String summary() {
      return "stream-health " + job + ": " + (healthy ? "healthy" : "UNHEALTHY") + ": " + reason;
    }

    @Override
    public int exitCode() {
      return healthy ? 0 : 1;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--job", metaVar = "JOB", usage = "score-stream (default) or ingest-stream")
    String job = "score-stream";

    @Option(name = "--dataset", metaVar = "ID", usage = "only this dataset's stream")
    String dataset;

    @Option(name = "--max-age-minutes", metaVar = "M", usage = "the latest batch must be newer (default 15)")
    int maxAgeMinutes = 15;
  }

  private StreamHealthJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("stream-health", args, new Cli(),
        (cli, config) -> new Options(config, cli.job, cli.dataset, cli.maxAgeMinutes), StreamHealthJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-stream-health", "stream-health --job " + o.job());
    warehouse.requireExists(Tables.OPS_STREAM_METRICS, "pdm " + o.job());
    Column mine = col("job").equalTo(o.job());
    if (o.dataset() != null) {
      mine = mine.and(col("dataset").equalTo(o.dataset()));
    }
    long now = System.currentTimeMillis();
    Timestamp since = new Timestamp(now - Duration.ofMinutes(o.maxAgeMinutes()).toMillis());
    Row r = warehouse.read(Tables.OPS_STREAM_METRICS, "pdm " + o.job()).where(mine)
        .agg(max("committed_at"), count(lit(1)),
            sum(org.apache.spark.sql.functions.when(col("committed_at").geq(lit(since)), 1).otherwise(0)),
            sum(org.apache.spark.sql.functions.when(col("committed_at").geq(lit(since)), col("input_rows"))
                .otherwise(0L)))
        .head();
    String what = o.job() + (o.dataset() == null ? "" : " of " + o.dataset());
    if (r.isNullAt(0)) {
      return new Result(o.job(), null, -1, 0, 0, false, "ops.stream_metrics has no batch of " + what
          + " (is it running? start it with pdm " + o.job() + ")");
    }
    Timestamp last = r.getTimestamp(0);
    long age = (now - last.getTime()) / 1000;
    long batches = r.getLong(2);
    long rows = r.getLong(3);
    if (batches == 0) {
      return new Result(o.job(), last, age, 0, 0, false, "the latest batch of " + what + " committed " + age
          + " s ago, more than " + o.maxAgeMinutes() + " min (check the job's driver log and its Kafka topic)");
    }
    return new Result(o.job(), last, age, batches, rows, true, batches + " batches with " + rows
        + " input rows in the last " + o.maxAgeMinutes() + " min; the latest committed " + age + " s ago");
  }
}
