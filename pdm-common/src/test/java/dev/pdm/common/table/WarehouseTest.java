package dev.pdm.common.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.test.TestSpark;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class WarehouseTest {

  private final SparkSession spark = TestSpark.session();

  /** ops.asset_risk as pdm made it before partitioning it by dataset: rewritten once, rows and properties kept. */
  @Test
  void aTableMadeWithOtherPartitionsIsRewrittenWithTheDeclaredOnesOnce() {
    Warehouse warehouse = new Warehouse(spark, TestSpark.tempDir("repartition").toString());
    TableDef declared = Tables.OPS_ASSET_RISK;
    TableDef older = new TableDef(declared.name(), declared.schema(), List.of(), declared.doc(), declared.properties());
    warehouse.ensure(older, older.schema());
    spark.createDataFrame(List.of(
            RowFactory.create("A", "a1", 3, "LOW", "LOW", 0, new Timestamp(1000)),
            RowFactory.create("B", "b1", 7, "HIGH", "HIGH", 2, new Timestamp(2000))), declared.schema())
        .write().format("delta").mode("append").save(warehouse.path(declared));
    assertEquals(List.of(), partitionColumns(warehouse, declared));

    warehouse.ensurePartitioning(declared);
    assertEquals(List.of("dataset"), partitionColumns(warehouse, declared));
    assertEquals("[[A,a1,3,LOW,LOW,0], [B,b1,7,HIGH,HIGH,2]]", warehouse.read(declared, "test")
        .drop("updated_at").orderBy("dataset").collectAsList().toString());
    Map<String, String> properties = DeltaTable.forPath(spark, warehouse.path(declared)).detail()
        .select("properties").head().getJavaMap(0);
    declared.properties().forEach((k, v) -> assertEquals(v, properties.get(k), k));

    long version = warehouse.version(declared);
    warehouse.ensurePartitioning(declared);
    assertEquals(version, warehouse.version(declared), "partitioned as declared: no commit");
  }

  private List<String> partitionColumns(Warehouse warehouse, TableDef t) {
    return DeltaTable.forPath(spark, warehouse.path(t)).detail().select("partitionColumns").head().getList(0);
  }
}
