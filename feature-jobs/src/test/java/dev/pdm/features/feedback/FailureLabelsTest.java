package dev.pdm.features.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.test.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FailureLabelsTest {

  private static final StructType ROWS = new StructType()
      .add("dataset", DataTypes.StringType).add("asset_id", DataTypes.StringType)
      .add("cycle", DataTypes.IntegerType).add("rul", DataTypes.IntegerType)
      .add("fails_within_horizon", DataTypes.BooleanType);
  private static final StructType FAILURES = new StructType()
      .add("dataset", DataTypes.StringType).add("asset_id", DataTypes.StringType)
      .add("failed_at_cycle", DataTypes.IntegerType);

  @Test
  void aReportedFailureLabelsTheAssetsUnlabelledCyclesUpToIt() {
    SparkSession spark = TestSpark.session();
    Dataset<Row> rows = spark.createDataFrame(List.of(
        RowFactory.create("D", "failed", 1, null, null),     // 199 cycles before: capped at 125
        RowFactory.create("D", "failed", 190, null, null),   // 10 before: within the horizon of 15
        RowFactory.create("D", "failed", 200, null, null),   // the failure cycle itself
        RowFactory.create("D", "failed", 201, null, null),   // after it: dropped
        RowFactory.create("D", "running", 50, null, null),   // no failure: unlabelled, kept
        RowFactory.create("E", "failed", 10, null, null),    // same id, another dataset: not it
        RowFactory.create("D", "trained", 5, 40, false)), ROWS);  // labelled already: kept as it is
    Dataset<Row> failures = spark.createDataFrame(List.of(RowFactory.create("D", "failed", 200),
        RowFactory.create("D", "trained", 30)), FAILURES);
    List<String> out = FailureLabels.apply(rows, failures, 125, 15, 0).orderBy("dataset", "asset_id", "cycle")
        .collectAsList().stream().map(Row::toString).toList();
    assertEquals(List.of(
        "[D,failed,1,125,false]",
        "[D,failed,190,10,true]",
        "[D,failed,200,0,true]",
        "[D,running,50,null,null]",
        "[D,trained,5,40,false]",
        "[E,failed,10,null,null]"), out);
  }
}
