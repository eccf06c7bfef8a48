package dev.pdm.common.table;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.spark.Sessions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts and vacuums the warehouse's tables ({@link TableMaintenance}), every one that exists or
 * the one {@code --table} names. Safe beside running jobs; the Airflow DAG {@code pdm_maintenance}
 * runs it daily.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm maintain [--table gold.predictions] [--retain-hours 168]
 * spark-submit --class dev.pdm.common.table.MaintainJob pdm.jar --warehouse s3a://bucket/pdm
 * </pre>
 */
public final class MaintainJob {

  private static final Logger LOG = LoggerFactory.getLogger(MaintainJob.class);

  /** Validated options; {@code table} null means every table. */
  public record Options(PdmConfig config, TableDef table, long retainHours) {
    public Options {
      if (retainHours < 0) {
        throw PdmErrors.badValue("--retain-hours", Long.toString(retainHours), "hours of table versions to keep, >= 0");
      }
    }
  }

  /** Each table's outcome. */
  public record Result(List<TableMaintenance.Outcome> tables) implements JobResult {
    @Override
    public String summary() {
      StringBuilder s = new StringBuilder("maintain: " + tables.size() + " table(s)");
      for (TableMaintenance.Outcome o : tables) {
        s.append(String.format("%n  %-28s files %d -> %d (%d compacted), %.1f MB -> %.1f MB", o.table(),
            o.filesBefore(), o.filesAfter(), o.filesCompacted(), o.bytesBefore() / 1e6, o.bytesAfter() / 1e6));
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--table", metaVar = "NAME", usage = "one table, e.g. gold.predictions (default: every table)")
    String table;

    @Option(name = "--retain-hours", metaVar = "H",
        usage = "keep the files of table versions this recent (default pdm.maintenance.retain-hours)")
    Long retainHours;
  }

  private MaintainJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("maintain", args, new Cli(), (cli, config) -> new Options(config, table(cli.table),
        cli.retainHours != null ? cli.retainHours : config.getLong(PdmConfigKeys.MAINTENANCE_RETAIN_HOURS)),
        MaintainJob::run);
  }

  /** The table named {@code name}, or null for null; a usage error naming the tables otherwise. */
  static TableDef table(String name) {
    if (name == null) {
      return null;
    }
    return Tables.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> PdmErrors.badValue(
        "--table", name, "one of " + String.join(", ", Tables.all().stream().map(TableDef::name).toList())));
  }

  public static Result run(SparkSession spark, Options o) {
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-maintain",
        "maintain" + (o.table() == null ? "" : " --table " + o.table().name()));
    List<TableMaintenance.Outcome> done = new ArrayList<>();
    for (TableDef t : o.table() == null ? Tables.all() : List.of(o.table())) {
      if (!warehouse.exists(t)) {
        if (o.table() != null) {
          throw PdmErrors.usage("maintain " + t.name(), "it does not exist in " + warehouse.root(),
              "check --warehouse, or run the job that creates it first");
        }
        continue;
      }
      TableMaintenance.Outcome outcome = TableMaintenance.maintain(warehouse, t, o.retainHours());
      LOG.info("maintain {}: files {} -> {}", t.name(), outcome.filesBefore(), outcome.filesAfter());
      done.add(outcome);
    }
    return new Result(done);
  }
}
