package dev.pdm.common.table;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * A warehouse table: its SQL name ({@code schema.table}), its directory under the warehouse root,
 * its base schema and partition columns. Tables whose columns come from a dataset profile (silver)
 * declare only their fixed columns here.
 */
public record TableDef(String name, StructType schema, List<String> partitionBy, String doc) {

  /** {@code bronze.telemetry_raw} lives in {@code <warehouse>/bronze/telemetry_raw}. */
  public String relativePath() {
    return name.replace('.', '/');
  }

  public String database() {
    return name.substring(0, name.indexOf('.'));
  }
}
