package dev.pdm.common.table;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Delta MERGE clauses built from a source's own columns. {@code insertAll()} requires every target
 * column in the source; silver.telemetry holds the readings of every profile its datasets use
 * ({@link Warehouse#ensure} adds a new profile's columns), so a dataset's rows carry only their own
 * profile's readings and the other profiles' columns are left null.
 *
 * <p>Usage:
 * <pre>{@code
 * table.as("t").merge(rows.as("s"), condition).whenNotMatched().insertExpr(Merges.insertOwnColumns(rows)).execute();
 * }</pre>
 */
public final class Merges {

  private Merges() {}

  /** Each source column inserted into the target column of the same name: {@code `c` -> s.`c`}. */
  public static Map<String, String> insertOwnColumns(Dataset<Row> source) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String c : source.columns()) {
      m.put("`" + c + "`", "s.`" + c + "`");
    }
    return m;
  }
}
