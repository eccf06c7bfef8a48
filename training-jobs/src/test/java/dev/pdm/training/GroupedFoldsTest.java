package dev.pdm.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.test.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class GroupedFoldsTest {

  private static Dataset<Row> rows(int assets) {
    List<Row> rows = new ArrayList<>();
    for (int a = 1; a <= assets; a++) {
      for (int c = 1; c <= 3 + a % 4; c++) {
        rows.add(RowFactory.create("FD-train-" + a, c));
      }
    }
    return TestSpark.session().createDataFrame(rows,
        new StructType().add("asset_id", DataTypes.StringType).add("cycle", DataTypes.IntegerType));
  }

  @Test
  void noAssetIsInTwoFoldsAndFoldsAreBalanced() {
    Dataset<Row> folded = GroupedFolds.assign(rows(23), 5, 17);
    assertEquals(rows(23).count(), folded.count(), "every row keeps exactly one fold");
    assertEquals(0, folded.groupBy("asset_id").agg(org.apache.spark.sql.functions.countDistinct("fold").as("n"))
        .where("n > 1").count(), "an asset in two folds");
    List<Row> sizes = folded.groupBy("fold").agg(org.apache.spark.sql.functions.countDistinct("asset_id").as("n"))
        .orderBy("fold").collectAsList();
    assertEquals(5, sizes.size());
    for (Row r : sizes) {
      long n = r.getLong(1);
      assertTrue(n == 4 || n == 5, "23 assets in 5 folds: 4 or 5 each, got " + n);
      assertTrue(r.getInt(0) >= 0 && r.getInt(0) < 5);
    }
    // Training rows of fold f never share an asset with its validation rows.
    for (int f = 0; f < 5; f++) {
      Dataset<Row> train = folded.where("fold != " + f).select("asset_id").distinct();
      Dataset<Row> valid = folded.where("fold = " + f).select("asset_id").distinct();
      assertEquals(0, train.intersect(valid).count());
    }
  }

  @Test
  void sameSeedSameFolds() {
    SparkSession spark = TestSpark.session();
    Dataset<Row> a = GroupedFolds.assign(rows(12), 3, 17).select("asset_id", "fold").distinct();
    Dataset<Row> b = GroupedFolds.assign(rows(12), 3, 17).select("asset_id", "fold").distinct();
    assertEquals(0, a.except(b).count());
    Dataset<Row> other = GroupedFolds.assign(rows(12), 3, 18).select("asset_id", "fold").distinct();
    assertTrue(a.except(other).count() > 0, "another seed deals other folds");
    assertEquals(spark, a.sparkSession());
  }

  @Test
  void fewerThanTwoFoldsIsAUsageError() {
    PdmException e = assertThrows(PdmException.class, () -> GroupedFolds.assign(rows(3), 1, 17));
    assertTrue(e.getMessage().startsWith("Cannot cross-validate with 1 folds"), e.getMessage());
  }
}
