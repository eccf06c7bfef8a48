package dev.pdm.common.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class MaintainJobTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void aTableOfManySmallCommitsIsCompactedToOneFileWithTheSameRows() {
    String root = TestSpark.tempDir("maintain").toString();
    PdmConfig config = PdmConfig.of(Map.of("pdm.warehouse", root, "pdm.catalog.register-tables", "false"));
    Warehouse warehouse = new Warehouse(spark, root);
    TableDef t = Tables.OPS_ALERT_RESOLUTIONS;
    warehouse.ensure(t, t.schema());
    for (int i = 0; i < 4; i++) { // as a stream's batches: a file each
      spark.createDataFrame(List.of(RowFactory.create("T", "T-" + i, "alert-" + i, new Timestamp(i * 1000L))),
          t.schema()).write().format("delta").mode("append").save(warehouse.path(t));
    }

    MaintainJob.Result r = MaintainJob.run(spark, new MaintainJob.Options(config, null, 168));
    assertEquals(1, r.tables().size(), "only the tables that exist");
    TableMaintenance.Outcome o = r.tables().get(0);
    assertEquals("ops.alert_resolutions", o.table());
    assertEquals(List.of(4L, 1L, 4L), List.of(o.filesBefore(), o.filesAfter(), o.filesCompacted()));
    assertEquals(4, warehouse.read(t, "test").count());
    List<String> operations = spark.sql("DESCRIBE HISTORY delta.`" + warehouse.path(t) + "`").select("operation")
        .collectAsList().stream().map(row -> row.getString(0)).toList();
    assertTrue(operations.containsAll(List.of("OPTIMIZE", "VACUUM START", "VACUUM END")), operations.toString());

    // again: nothing left to compact
    TableMaintenance.Outcome again = MaintainJob.run(spark,
        new MaintainJob.Options(config, MaintainJob.table("ops.alert_resolutions"), 168)).tables().get(0);
    assertEquals(List.of(1L, 1L, 0L), List.of(again.filesBefore(), again.filesAfter(), again.filesCompacted()));
    PdmException e = assertThrows(PdmException.class, () -> MaintainJob.table("gold.nope"));
    assertTrue(e.getMessage().contains("one of bronze.telemetry_raw, "), e.getMessage());
  }
}
