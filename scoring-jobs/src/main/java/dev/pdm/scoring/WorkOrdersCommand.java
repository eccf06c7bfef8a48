package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.Instants;
import dev.pdm.common.PdmErrors;
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
 * The work orders HIGH and CRITICAL alerts open: {@code list} open and scheduled ones (or all),
 * {@code schedule} one (optionally for a time), {@code complete} it (records a maintenance event
 * and resolves its alert) or {@code cancel} it. See {@link WorkOrders} for the rules.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm work-orders list --dataset FD001
 * bin/pdm work-orders schedule --id wo-3f9a0c... --for 2026-12-10T08:00:00Z --by j.smith
 * bin/pdm work-orders complete --id wo-3f9a0c... --part HPC --note "replaced"
 * </pre>
 */
public final class WorkOrdersCommand {

  /** What to do. */
  public enum Action { LIST, SCHEDULE, COMPLETE, CANCEL }

  /** Validated options. */
  public record Options(PdmConfig config, Action action, String id, String by, String note, Timestamp scheduledFor,
      String part, String dataset, boolean all) {
    public Options {
      String verb = action.name().toLowerCase(Locale.ROOT);
      if (action != Action.LIST && (id == null || id.isBlank())) {
        throw PdmErrors.missingOption(verb + " a work order", "--id", "--id <work_order_id from pdm work-orders list>");
      }
      if (action != Action.LIST && (by == null || by.isBlank())) {
        throw PdmErrors.missingOption(verb + " a work order", "--by", "--by <who makes the change>");
      }
      if (scheduledFor != null && action != Action.SCHEDULE) {
        throw PdmErrors.usage(verb + " a work order", "--for goes with schedule", "leave --for out");
      }
      if (part != null && action != Action.COMPLETE) {
        throw PdmErrors.usage(verb + " a work order", "--part goes with complete", "leave --part out");
      }
    }

    /** The lifecycle request of a change. */
    WorkOrders.Request request() {
      WorkOrders.Change change = switch (action) {
        case SCHEDULE -> WorkOrders.Change.SCHEDULE;
        case COMPLETE -> WorkOrders.Change.COMPLETE;
        case CANCEL -> WorkOrders.Change.CANCEL;
        case LIST -> throw new IllegalStateException("list changes nothing");
      };
      return new WorkOrders.Request(change, by, note, scheduledFor, part);
    }
  }

  /** What a run did: the work orders listed, or the one changed. */
  public record Result(List<Row> workOrders, String changed) implements JobResult {
    @Override
    public String summary() {
      if (changed != null) {
        return changed;
      }
      StringBuilder s = new StringBuilder(workOrders.size() + " work orders");
      for (Row r : workOrders) {
        s.append(String.format("%n%s  %-9s %-3s %-22s cycle %-5d due cycle %-5d due %-19s %s", r.getAs("work_order_id"),
            r.getAs("status"), r.getAs("priority"), r.getAs("asset_id"), (Integer) r.getAs("cycle"),
            (Integer) r.getAs("due_cycle"), r.getAs("due_date") == null ? "-" : r.getAs("due_date").toString()
                .substring(0, 19), r.getAs("recommended_action")));
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Argument(required = true, metaVar = "list|schedule|complete|cancel", usage = "what to do")
    Action action;

    @Option(name = "--id", metaVar = "WORK_ORDER_ID", usage = "schedule, complete, cancel: the work order")
    String id;

    @Option(name = "--by", metaVar = "WHO", usage = "schedule, complete, cancel: who makes the change (default: $USER)")
    String by = System.getProperty("user.name");

    @Option(name = "--note", metaVar = "TEXT", usage = "schedule, complete, cancel: a note kept with the change")
    String note;

    @Option(name = "--for", metaVar = "TIME", usage = "schedule: when the work is planned, ISO-8601 (2026-12-10T08:00:00Z)")
    String scheduledFor;

    @Option(name = "--part", metaVar = "PART", usage = "complete: the part serviced or replaced")
    String part;

    @Option(name = "--dataset", metaVar = "ID", usage = "list: only this dataset")
    String dataset;

    @Option(name = "--all", usage = "list: every status, not only open and scheduled work orders")
    boolean all;
  }

  private WorkOrdersCommand() {}

  public static void main(String[] args) {
    JobMain.runSpark("work-orders", args, new Cli(),
        (cli, config) -> new Options(config, cli.action, cli.id, cli.by, cli.note,
            Instants.option("schedule a work order", "--for", cli.scheduledFor), cli.part, cli.dataset, cli.all),
        WorkOrdersCommand::run);
  }

  public static Result run(SparkSession spark, Options o) {
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-work-orders", "work-orders " + o.action());
    warehouse.requireExists(Tables.GOLD_WORK_ORDERS, "pdm score-stream (HIGH and CRITICAL alerts open work orders)");
    if (o.action() == Action.LIST) {
      var orders = warehouse.read(Tables.GOLD_WORK_ORDERS, "pdm score-stream");
      if (o.dataset() != null) {
        orders = orders.where(col("dataset").equalTo(o.dataset()));
      }
      if (!o.all()) {
        orders = orders.where(col("status").isin(WorkOrders.OPEN_STATUSES.toArray()));
      }
      // a listing for a person: most urgent first, bounded
      return new Result(orders.orderBy(col("priority"), col("due_cycle").minus(col("cycle")), col("created_at"))
          .limit(1000).collectAsList(), null);
    }
    WorkOrders.Result r = WorkOrders.change(spark, warehouse, o.id(), o.request());
    String action = o.action().name().toLowerCase(Locale.ROOT) + " work order " + o.id();
    switch (r.outcome()) {
      case NOT_FOUND -> throw PdmErrors.usage(action, "gold.work_orders has no such work order",
          "take an id from pdm work-orders list");
      case CLOSED -> throw PdmErrors.usage(action, "it is " + r.status() + " already",
          "nothing to do; a new HIGH or CRITICAL alert of the asset opens a new one");
      case CHANGED -> { }
    }
    return new Result(List.of(), "work order " + o.id() + " of " + r.assetId() + ": " + r.status());
  }
}
