package dev.pdm.common.spark;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession of a job. The master comes from spark-submit or bin/pdm, never code. */
public final class Sessions {

  private Sessions() {}

  public static SparkSession create(String appName) {
    return SparkSession.builder()
        .appName(appName)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
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
