package dev.pdm.common.sql;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import java.io.PrintStream;
import java.util.Iterator;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Argument;
import org.kohsuke.args4j.Option;

/**
 * Runs Spark SQL over the warehouse tables by name ({@code silver.telemetry}, ...) and prints the
 * result. csv and json stream the rows partition by partition, so a large result is not held in
 * the driver; table prints at most {@code --limit} rows.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm sql --format csv "SELECT dataset, count(*) FROM silver.telemetry GROUP BY dataset"
 * </pre>
 */
public final class SqlJob {

  /** Output formats. */
  public enum OutputFormat { TABLE, CSV, JSON }

  /** Validated options. */
  public record Options(PdmConfig config, String query, OutputFormat format, boolean header, int limit) {
    public Options {
      if (query == null || query.isBlank()) {
        throw PdmErrors.missingOption("run SQL", "a query", "\"SELECT count(*) FROM silver.telemetry\"");
      }
      if (limit < 1) {
        throw PdmErrors.badValue("--limit", Integer.toString(limit), "a positive number of rows");
      }
    }
  }

  /** Rows printed. */
  public record Result(long rows) implements JobResult {
    @Override
    public String summary() {
      return "";
    }
  }

  static final class Cli extends CommonOptions {
    @Argument(metaVar = "QUERY", required = true, usage = "Spark SQL, tables by name")
    String query;

    @Option(name = "--format", usage = "table (default), csv or json (one object a line)")
    OutputFormat format = OutputFormat.TABLE;

    @Option(name = "--header", usage = "csv: print a header line (off by default, like spark-sql)")
    boolean header;

    @Option(name = "--limit", metaVar = "N", usage = "table: rows to print at most (default 1000)")
    int limit = 1000;
  }

  private SqlJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("sql", args, new Cli(),
        (cli, config) -> new Options(config, cli.query, cli.format, cli.header, cli.limit), SqlJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    return run(spark, o, System.out);
  }

  public static Result run(SparkSession spark, Options o, PrintStream out) {
    Sessions.prepare(spark, o.config(), "pdm-sql", "sql " + o.query());
    Dataset<Row> df;
    try {
      df = spark.sql(o.query());
    } catch (Exception e) { // AnalysisException is checked for javac, though Scala throws it undeclared
      if (e instanceof AnalysisException ae) {
        throw PdmErrors.usage("run the query", ae.getSimpleMessage(),
            "check table and column names: SHOW TABLES IN silver; DESCRIBE silver.telemetry");
      }
      throw PdmErrors.usage("run the query", e.getMessage(), "check the SQL");
    }
    long rows = 0;
    switch (o.format()) {
      case TABLE -> {
        java.util.List<Row> head = df.limit(o.limit() + 1).collectAsList();
        rows = Math.min(head.size(), o.limit());
        out.print(table(df.columns(), head.subList(0, (int) rows)));
        if (head.size() > o.limit()) {
          out.println("only the first " + o.limit() + " rows are shown (--limit)");
        }
      }
      case CSV -> {
        if (o.header()) {
          out.println(String.join(",", java.util.Arrays.stream(df.columns()).map(SqlJob::csv).toList()));
        }
        Iterator<Row> it = df.toLocalIterator();
        while (it.hasNext()) {
          Row r = it.next();
          StringBuilder line = new StringBuilder();
          for (int i = 0; i < r.length(); i++) {
            if (i > 0) {
              line.append(',');
            }
            line.append(r.isNullAt(i) ? "" : csv(text(r.get(i))));
          }
          out.println(line);
          rows++;
        }
      }
      case JSON -> {
        Iterator<String> it = df.toJSON().toLocalIterator();
        while (it.hasNext()) {
          out.println(it.next());
          rows++;
        }
      }
    }
    out.flush();
    return new Result(rows);
  }

  static String table(String[] columns, java.util.List<Row> rows) {
    int[] width = new int[columns.length];
    String[][] cells = new String[rows.size()][columns.length];
    for (int c = 0; c < columns.length; c++) {
      width[c] = columns[c].length();
      for (int r = 0; r < rows.size(); r++) {
        cells[r][c] = rows.get(r).isNullAt(c) ? "NULL" : text(rows.get(r).get(c));
        width[c] = Math.max(width[c], cells[r][c].length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : width) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    StringBuilder out = new StringBuilder(rule).append('\n');
    appendRow(out, columns, width);
    out.append(rule).append('\n');
    for (String[] row : cells) {
      appendRow(out, row, width);
    }
    out.append(rule).append('\n');
    return out.toString();
  }

  private static void appendRow(StringBuilder out, String[] values, int[] width) {
    out.append('|');
    for (int c = 0; c < values.length; c++) {
      out.append(' ').append(values[c]).append(" ".repeat(width[c] - values[c].length())).append(" |");
    }
    out.append('\n');
  }

  private static String csv(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
      return '"' + value.replace("\"", "\"\"") + '"';
    }
    return value;
  }

  /** A value as SQL users read it: arrays and maps as [a, b] and {k -> v}, not Scala's toString. */
  static String text(Object value) {
    if (value instanceof scala.collection.Seq<?> seq) {
      StringBuilder out = new StringBuilder("[");
      scala.jdk.javaapi.CollectionConverters.asJava(seq).forEach(v -> out.append(out.length() > 1 ? ", " : "").append(text(v)));
      return out.append(']').toString();
    }
    if (value instanceof scala.collection.Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      scala.jdk.javaapi.CollectionConverters.asJava(map).forEach((k, v) ->
          out.append(out.length() > 1 ? ", " : "").append(text(k)).append(" -> ").append(text(v)));
      return out.append('}').toString();
    }
    return String.valueOf(value);
  }
}
