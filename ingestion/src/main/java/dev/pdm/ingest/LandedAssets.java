package dev.pdm.ingest;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Which assets a landing brought in, read back from silver.telemetry's {@code source} column
 * ({@code <qualified file>:<line>} for {@code ingest-files}, see {@link Landing}).
 *
 * <p>Usage:
 * <pre>{@code
 * Dataset<Row> assets = LandedAssets.fromFiles(warehouse, "hdfs:///landing/FD001/test");   // dataset, asset_id
 * }</pre>
 */
public final class LandedAssets {

  private LandedAssets() {}

  /** The distinct (dataset, asset_id) with silver rows landed from a file, or from files under a directory. */
  public static Dataset<Row> fromFiles(Warehouse warehouse, String path) {
    String qualified;
    try {
      Path p = new Path(path);
      qualified = p.getFileSystem(warehouse.spark().sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (IOException | IllegalArgumentException e) {
      throw PdmErrors.badValue("--assets-from", path, "a file or directory path or URI that ingest-files read");
    }
    return warehouse.read(Tables.SILVER_TELEMETRY, "pdm ingest-files")
        .where(col("source").startsWith(qualified + "/").or(col("source").startsWith(qualified + ":")))
        .select("dataset", "asset_id").distinct();
  }
}
