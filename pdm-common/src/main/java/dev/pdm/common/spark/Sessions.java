package dev.pdm.common.spark;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession of a job. The master comes from spark-submit or bin/pdm, never code. */
public final class Sessions {

  private Sessions() {}

  /**
   * Defaults pdm needs, applied unless spark-submit's --conf already set them. A MERGE into one
   * table partition (silver gets one dataset at a time) would otherwise be written by a single
   * task into a single file, because Delta repartitions MERGE output by the partition columns.
   * Spark keeps 100 compiled classes of generated code by default; the stream scorer's plans (the
   * stateful operator, six table writes and Delta's statistics) need about 200, so with 100 every
   * micro-batch compiled the same classes again (840 compilations in 30 s, 204 distinct).
   */
  public static final Map<String, String> DEFAULTS = Map.of(
      "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension",
      "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog",
      "spark.sql.session.timeZone", "UTC",
      "spark.databricks.delta.merge.repartitionBeforeWrite.enabled", "false",
      "spark.sql.codegen.cache.maxEntries", "1000");

  /**
   * Defaults of a local master only: local paths without a {@code chmod} or {@code readlink}
   * process per file operation ({@link dev.pdm.common.fs.NioRawLocalFileSystem}). Not on a
   * cluster, where an executor's Hadoop configuration may not see the application jar's classes.
   */
  public static final Map<String, String> LOCAL_DEFAULTS = Map.of(
      "spark.hadoop.fs.file.impl", "dev.pdm.common.fs.NioLocalFileSystem",
      "spark.hadoop.fs.AbstractFileSystem.file.impl", "dev.pdm.common.fs.NioLocalFs");

  public static SparkSession create(String appName) {
    SparkConf given = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    Map<String, String> defaults = new java.util.HashMap<>(DEFAULTS);
    if (given.get("spark.master", "local").startsWith("local")) {
      defaults.putAll(LOCAL_DEFAULTS);
    }
    defaults.forEach((k, v) -> {
      if (!given.contains(k)) {
        builder.config(k, v);
      }
    });
    return builder.getOrCreate();
  }

  /** Names what runs in the Spark UI (job group) and registers the warehouse tables. */
  public static Warehouse prepare(SparkSession spark, PdmConfig config, String group, String description) {
    spark.sparkContext().setJobGroup(group, description, false);
    Warehouse warehouse = new Warehouse(spark, config.require(PdmConfigKeys.WAREHOUSE));
    if (config.getBoolean(PdmConfigKeys.REGISTER_TABLES)) {
      warehouse.registerTables(Tables.all());
    }
    return warehouse;
  }
}
