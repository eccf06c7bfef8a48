package dev.pdm.common.table;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * A warehouse table: its SQL name ({@code schema.table}), its directory under the warehouse root,
 * its base schema and partition columns. Tables whose columns come from a dataset profile (silver)
 * declare only their fixed columns here.
 */
public record TableDef(
    String name, StructType schema, List<String> partitionBy, String doc, Map<String, String> properties) {

  public TableDef {
    properties = Map.copyOf(properties);
  }

  public TableDef(String name, StructType schema, List<String> partitionBy, String doc) {
    this(name, schema, partitionBy, doc, Map.of());
  }

  /** The same table with more table properties set at creation. */
  public TableDef withProperties(Map<String, String> more) {
    Map<String, String> all = new java.util.TreeMap<>(properties);
    all.putAll(more);
    return new TableDef(name, schema, partitionBy, doc, all);
  }

  /** {@code bronze.telemetry_raw} lives in {@code <warehouse>/bronze/telemetry_raw}. */
  public String relativePath() {
    return name.replace('.', '/');
  }

  public String database() {
    return name.substring(0, name.indexOf('.'));
  }
}
