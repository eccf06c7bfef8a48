package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Argument;
import org.kohsuke.args4j.Option;

/**
 * The alert lifecycle: {@code list} open (or all) alerts, {@code ack} an alert (someone is on
 * it), {@code resolve} it (the asset was inspected or repaired; its alerted level is reset so a
 * new rise alerts again).
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.scoring.AlertsCommand target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm ack --id 3f9a0c... --note "borescope booked"
 * </pre>
 */
public final class AlertsCommand {

  /** What to do. */
  public enum Action { LIST, ACK, RESOLVE }

  /** Validated options. */
  public record Options(PdmConfig config, Action action, String alertId, String note, String dataset, boolean all) {
    public Options {
      if (action != Action.LIST && (alertId == null || alertId.isBlank())) {
        throw PdmErrors.missingOption(action.name().toLowerCase() + " an alert", "--id", "--id <alert_id from"
            + " pdm alerts list>");
      }
    }
  }

  /**
   * What a run did: the alerts listed, or the one changed. {@code timed}: the listed datasets that
   * count time, whose alerts are placed by their reading's event time (their cycle is a tick).
   */
  public record Result(List<Row> alerts, String changed, Set<String> timed) implements JobResult {
    @Override
    public String summary() {
      if (changed != null) {
        return changed;
      }
      StringBuilder s = new StringBuilder(alerts.size() + " alerts");
      for (Row r : alerts) {
        Object at = r.getAs("event_time");
        String where = timed.contains(r.<String>getAs("dataset")) && at != null
            ? "at " + at.toString().substring(0, 16) : String.format("cycle %-5d", (Integer) r.getAs("cycle"));
        s.append(String.format("%n%s  %-12s %-22s %s %-8s %-12s %s", r.getAs("alert_id"), r.getAs("status"),
            r.getAs("asset_id"), where, r.getAs("risk_level"), r.getAs("raised_at").toString()
                .substring(0, 19), r.getAs("recommendation")));
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Argument(required = true, metaVar = "list|ack|resolve", usage = "what to do")
    Action action;

    @Option(name = "--id", metaVar = "ALERT_ID", usage = "ack, resolve: the alert")
    String id;

    @Option(name = "--note", metaVar = "TEXT", usage = "ack, resolve: a note kept with the alert")
    String note;

    @Option(name = "--dataset", metaVar = "ID", usage = "list: only this dataset")
    String dataset;

    @Option(name = "--all", usage = "list: every status, not only open and acknowledged alerts")
    boolean all;
  }

  private AlertsCommand() {}

  public static void main(String[] args) {
    JobMain.runSpark("alerts", args, new Cli(),
        (cli, config) -> new Options(config, cli.action, cli.id, cli.note, cli.dataset, cli.all), AlertsCommand::run);
  }

  public static Result run(SparkSession spark, Options o) {
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-alerts", "alerts " + o.action());
    warehouse.requireExists(Tables.GOLD_ALERTS, "pdm score-stream");
    var alerts = warehouse.read(Tables.GOLD_ALERTS, "pdm score-stream");
    if (o.action() == Action.LIST) {
      if (o.dataset() != null) {
        alerts = alerts.where(col("dataset").equalTo(o.dataset()));
      }
      if (!o.all()) {
        alerts = alerts.where(col("status").isin("open", "acknowledged"));
      }
      // Alerts are escalations, a handful per asset: a bounded listing for a person.
      List<Row> listed = alerts.orderBy(col("raised_at").desc(), col("asset_id")).limit(1000).collectAsList();
      Set<String> timed = new java.util.TreeSet<>();
      for (String d : listed.stream().map(r -> r.<String>getAs("dataset")).distinct().toList()) {
        if (DatasetProfile.forDataset(o.config(), d).clock() == DatasetProfile.Clock.TIME) {
          timed.add(d);
        }
      }
      return new Result(listed, null, timed);
    }
    AlertLifecycle.Result r = AlertLifecycle.change(warehouse, o.alertId(),
        o.action() == Action.ACK ? AlertLifecycle.Change.ACK : AlertLifecycle.Change.RESOLVE, o.note());
    String action = o.action().name().toLowerCase() + " alert " + o.alertId();
    switch (r.outcome()) {
      case NOT_FOUND -> throw PdmErrors.usage(action, "gold.alerts has no such alert", "take an id from pdm alerts list");
      case ALREADY_RESOLVED -> throw PdmErrors.usage(action, "it is resolved already",
          "nothing to do; a new rise of the asset's risk raises a new alert");
      case CHANGED -> { }
    }
    return new Result(List.of(), "alert " + o.alertId() + " of " + r.assetId() + ": " + r.status(), Set.of());
  }
}
