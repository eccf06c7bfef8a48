package dev.pdm.common.table;

import dev.pdm.common.PdmErrors;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta tables under one warehouse root. Jobs address tables by path, so they work with or
 * without a shared metastore; {@link #registerTables} also makes them addressable by name in SQL.
 */
public final class Warehouse {

  private static final Logger LOG = LoggerFactory.getLogger(Warehouse.class);

  private final SparkSession spark;
  private final String root;

  public Warehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = qualify(spark, root);
  }

  /** An absolute URI, so that table locations compare equal and survive a change of directory. */
  private static String qualify(SparkSession spark, String root) {
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(root);
      String uri =
          path.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(path).toString();
      return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    } catch (java.io.IOException e) {
      throw PdmErrors.config(
          "use warehouse " + root, e.getMessage(), "check --warehouse or pdm.warehouse", e);
    }
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String path(TableDef table) {
    return root + "/" + table.relativePath();
  }

  public boolean exists(TableDef table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  public DeltaTable delta(TableDef table) {
    requireExists(table, "pdm help");
    return DeltaTable.forPath(spark, path(table));
  }

  public Dataset<Row> read(TableDef table, String producer) {
    requireExists(table, producer);
    return spark.read().format("delta").load(path(table));
  }

  /** The table as of one Delta version, so that several reads of one job see the same data. */
  public Dataset<Row> read(TableDef table, long version, String producer) {
    requireExists(table, producer);
    return spark.read().format("delta").option("versionAsOf", version).load(path(table));
  }

  public void requireExists(TableDef table, String producer) {
    if (!exists(table)) {
      throw PdmErrors.missingTable(table.name(), path(table), producer);
    }
  }

  /** The current Delta version of a table, or -1 when it does not exist. */
  public long version(TableDef table) {
    if (!exists(table)) {
      return -1;
    }
    return DeltaTable.forPath(spark, path(table)).history(1).select("version").head().getLong(0);
  }

  /** Creates the table when missing; adds columns {@code schema} has and the table lacks. */
  public void ensure(TableDef table, StructType schema) {
    String path = path(table);
    if (!exists(table)) {
      var builder = DeltaTable.createIfNotExists(spark)
          .location(path)
          .addColumns(schema)
          .partitionedBy(table.partitionBy().toArray(new String[0]))
          .property("delta.appendOnly", String.valueOf(table.name().startsWith("bronze.")));
      table.properties().forEach(builder::property);
      builder.execute();
      LOG.info("Created Delta table {} at {}", table.name(), path);
      registerTable(table);
      return;
    }
    reconcileProperties(table, path);
    Set<String> present =
        Arrays.stream(DeltaTable.forPath(spark, path).toDF().schema().fieldNames())
            .collect(Collectors.toSet());
    List<String> missing = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (!present.contains(field.name())) {
        missing.add("`" + field.name() + "` " + field.dataType().sql());
      }
    }
    if (!missing.isEmpty()) {
      spark.sql("ALTER TABLE delta.`" + path + "` ADD COLUMNS (" + String.join(", ", missing) + ")");
      LOG.info("Added columns {} to {}", missing, table.name());
    }
  }

  /**
   * Rewrites a table whose partition columns are not the declared ones (made by an older pdm) with
   * the declared partitioning, in one commit that keeps its rows and properties; a no-op
   * otherwise. For small tables that are no streaming source (a rewrite replaces every file, and a
   * stream reading the table would stop on it).
   */
  public void ensurePartitioning(TableDef table) {
    if (!exists(table)) {
      return;
    }
    String path = path(table);
    List<String> now = DeltaTable.forPath(spark, path).detail().select("partitionColumns").head().getList(0);
    if (now.equals(table.partitionBy())) {
      return;
    }
    DeltaRetry.commit("repartition " + table.name(), () -> spark.read().format("delta").load(path)
        .write().format("delta").mode("overwrite").option("overwriteSchema", "true")
        .partitionBy(table.partitionBy().toArray(new String[0])).save(path));
    LOG.info("Repartitioned {} by {} (it was partitioned by {})", table.name(), table.partitionBy(), now);
  }

  /** Sets the properties the table's declaration gained since the table was made (a newer pdm). */
  private void reconcileProperties(TableDef table, String path) {
    if (table.properties().isEmpty()) {
      return;
    }
    Map<String, String> now = DeltaTable.forPath(spark, path).detail().select("properties").head().getJavaMap(0);
    List<String> changed = new ArrayList<>();
    table.properties().forEach((k, v) -> {
      if (!v.equals(now.get(k))) {
        changed.add("'" + k + "' = '" + v + "'");
      }
    });
    if (!changed.isEmpty()) {
      spark.sql("ALTER TABLE delta.`" + path + "` SET TBLPROPERTIES (" + String.join(", ", changed) + ")");
      LOG.info("Set {} on {}", changed, table.name());
    }
  }

  /** Registers every existing table of {@code tables} by name in the session catalog. */
  public void registerTables(List<TableDef> tables) {
    for (TableDef table : tables) {
      if (exists(table)) {
        registerTable(table);
      }
    }
  }

  private void registerTable(TableDef table) {
    String location = path(table);
    spark.sql("CREATE DATABASE IF NOT EXISTS " + table.database());
    if (spark.catalog().tableExists(table.name())) {
      String registered =
          spark.sql("DESCRIBE TABLE EXTENDED " + table.name())
              .where("col_name = 'Location'")
              .select("data_type")
              .head()
              .getString(0);
      if (sameLocation(registered, location)) {
        return;
      }
      if (!"in-memory".equals(spark.conf().get("spark.sql.catalogImplementation", "in-memory"))) {
        throw PdmErrors.config(
            "register table " + table.name(),
            "the metastore has it at " + registered + ", not at " + location,
            "point --warehouse at " + registered + ", or set pdm.catalog.register-tables=false");
      }
      // A session-local catalog: another warehouse used earlier in this JVM; point at this one.
      spark.sql("DROP TABLE " + table.name());
    }
    spark.sql(
        "CREATE TABLE IF NOT EXISTS " + table.name() + " USING delta LOCATION '" + location + "'");
  }

  private static boolean sameLocation(String registered, String location) {
    return registered.replaceAll("/+$", "").equals(location.replaceAll("/+$", ""));
  }
}
