package dev.pdm.features.feedback;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.Names;
import dev.pdm.common.Instants;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.sql.Timestamp;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Argument;
import org.kohsuke.args4j.Option;

/**
 * Ground truth into gold.asset_events ({@link AssetEvents}): {@code failure} (the asset failed at
 * a cycle: the drift report's performance drift and training use it), {@code maintenance} (work
 * was done, on a part), or {@code list} what was recorded. Sending the same record twice records
 * it once.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm feedback failure --dataset FD001 --asset FD001-stream-7 --cycle 212 --note "compressor stall"
 * bin/pdm feedback maintenance --dataset FD001 --asset FD001-stream-7 --part HPC --at 2026-12-04T08:00:00Z
 * bin/pdm feedback list --dataset FD001
 * </pre>
 */
public final class FeedbackCommand {

  /** What to do. */
  public enum Action { FAILURE, MAINTENANCE, LIST }

  /** Validated options. */
  public record Options(PdmConfig config, Action action, String dataset, String assetId, Integer cycle, Timestamp at,
      String part, String by, String note) {
    public Options {
      String verb = "record " + action.name().toLowerCase(Locale.ROOT);
      if (action != Action.LIST) {
        if (dataset == null) {
          throw PdmErrors.missingOption(verb, "--dataset", "--dataset FD001");
        }
        if (assetId == null || assetId.isBlank()) {
          throw PdmErrors.missingOption(verb, "--asset", "--asset <asset_id as in gold.predictions>");
        }
        if (by == null || by.isBlank()) {
          throw PdmErrors.missingOption(verb, "--by", "--by <who reports it>");
        }
      }
      if (dataset != null) {
        Names.requireDataset(dataset);
      }
      if (action == Action.FAILURE && cycle == null && at != null) {
        // a time fleet's failure is placed by its time: the tick of --at
        cycle = AssetEvents.Event.failureCycle(DatasetProfile.forDataset(config, dataset), at);
      }
      if (action == Action.FAILURE && cycle == null) {
        throw PdmErrors.missingOption(verb, "--cycle", "--cycle <the asset's cycle when it failed> (a time fleet's:"
            + " --at <when it failed>)");
      }
      if (cycle != null && cycle < 1) {
        throw PdmErrors.usage(verb, "--cycle " + cycle + " is not a cycle", "cycles count from 1");
      }
      if (part != null && action != Action.MAINTENANCE) {
        throw PdmErrors.usage(verb, "--part goes with maintenance", "leave --part out");
      }
    }

    AssetEvents.Event event() {
      return action == Action.FAILURE ? AssetEvents.Event.failure(dataset, assetId, cycle, at, by, note)
          : AssetEvents.Event.maintenance(dataset, assetId, cycle, at, part, null, by, note);
    }
  }

  /** What a run did: the events listed, or the one recorded. */
  public record Result(List<Row> events, String recorded) implements JobResult {
    @Override
    public String summary() {
      if (recorded != null) {
        return recorded;
      }
      StringBuilder s = new StringBuilder(events.size() + " asset events");
      for (Row r : events) {
        s.append(String.format("%n%-11s %-22s cycle %-6s %-12s by %-12s %s", r.getAs("kind"), r.getAs("asset_id"),
            r.getAs("cycle") == null ? "-" : r.getAs("cycle").toString(), r.getAs("part") == null ? "" : r.getAs("part"),
            r.getAs("recorded_by"), r.getAs("note") == null ? "" : r.getAs("note")));
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Argument(required = true, metaVar = "failure|maintenance|list", usage = "what to do")
    Action action;

    @Option(name = "--dataset", metaVar = "ID", usage = "the asset's dataset (list: only this dataset)")
    String dataset;

    @Option(name = "--asset", metaVar = "ASSET_ID", usage = "the asset (list: only this asset)")
    String asset;

    @Option(name = "--cycle", metaVar = "N", usage = "failure: the cycle it failed at; maintenance: when, if known")
    Integer cycle;

    @Option(name = "--at", metaVar = "TIME", usage = "when it happened, ISO-8601 (2026-12-04T08:00:00Z)")
    String at;

    @Option(name = "--part", metaVar = "PART", usage = "maintenance: the part serviced or replaced")
    String part;

    @Option(name = "--by", metaVar = "WHO", usage = "who reports it (default: $USER)")
    String by = System.getProperty("user.name");

    @Option(name = "--note", metaVar = "TEXT", usage = "free text kept with the record")
    String note;
  }

  private FeedbackCommand() {}

  public static void main(String[] args) {
    JobMain.runSpark("feedback", args, new Cli(), (cli, config) -> new Options(config, cli.action, cli.dataset,
        cli.asset, cli.cycle, Instants.option("record feedback", "--at", cli.at), cli.part, cli.by, cli.note),
        FeedbackCommand::run);
  }

  public static Result run(SparkSession spark, Options o) {
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-feedback", "feedback " + o.action());
    if (o.action() == Action.LIST) {
      warehouse.requireExists(Tables.GOLD_ASSET_EVENTS, "pdm feedback failure|maintenance");
      var events = warehouse.read(Tables.GOLD_ASSET_EVENTS, "pdm feedback");
      if (o.dataset() != null) {
        events = events.where(col("dataset").equalTo(o.dataset()));
      }
      if (o.assetId() != null) {
        events = events.where(col("asset_id").equalTo(o.assetId()));
      }
      return new Result(events.orderBy(col("recorded_at").desc()).limit(1000).collectAsList(), null);
    }
    AssetEvents.Result r = AssetEvents.record(spark, warehouse, o.event());
    return new Result(List.of(), o.action().name().toLowerCase(Locale.ROOT) + " of " + o.assetId() + " "
        + (r.recorded() ? "recorded" : "recorded before") + " as " + r.eventId());
  }
}
