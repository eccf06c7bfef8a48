package dev.pdm.serving;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The newest row of each record of a table whose rows change status in place (gold.alerts,
 * gold.work_orders: an UPDATE rewrites the row's file, so a follower sees the row again), held in
 * memory: a fold keeps, per id, the row with the latest change time ({@code updated_at}; for
 * an append-only table such as gold.asset_events, the time it was written). Bounded: beyond
 * {@code max} records the oldest closed ones leave first.
 *
 * <p>Usage:
 * <pre>{@code
 * LatestRows<AlertView> alerts = new LatestRows<>("alert_id", "updated_at", AlertView::of, AlertView::alertId,
 *     AlertView::updatedAt, a -> a.status().equals("resolved"), AlertView::raisedAt, 100_000);
 * alerts.fold(batch);
 * }</pre>
 */
final class LatestRows<V> {

  private final String idColumn;
  private final String changedColumn;
  private final Function<Row, V> of;
  private final Function<V, String> id;
  private final Function<V, String> updatedAt;
  private final Predicate<V> closed;
  private final Function<V, String> age;
  private final int max;
  private final Map<String, V> rows = new ConcurrentHashMap<>();

  /**
   * @param changedColumn the table's column of a row's change time
   * @param updatedAt an ISO-8601 instant of the record's last change (that column's value)
   * @param closed records that may leave when there are more than {@code max}
   * @param age the ISO-8601 instant that orders closed records for leaving (oldest first)
   */
  LatestRows(String idColumn, String changedColumn, Function<Row, V> of, Function<V, String> id,
      Function<V, String> updatedAt, Predicate<V> closed, Function<V, String> age, int max) {
    this.idColumn = idColumn;
    this.changedColumn = changedColumn;
    this.of = of;
    this.id = id;
    this.updatedAt = updatedAt;
    this.closed = closed;
    this.age = age;
    this.max = max;
  }

  /** Folds a batch of the table: the newest row of each id is cut in Spark, then merged. */
  void fold(Dataset<Row> batch) {
    List<Row> newest = batch
        .withColumn("_n", row_number().over(Window.partitionBy(idColumn).orderBy(col(changedColumn).desc())))
        .where(col("_n").equalTo(1)).drop("_n")
        .collectAsList();
    for (Row r : newest) {
      V v = of.apply(r);
      rows.merge(id.apply(v), v, (o, n) -> instant(updatedAt, n).compareTo(instant(updatedAt, o)) >= 0 ? n : o);
    }
    if (rows.size() > max) {
      rows.values().stream().filter(closed).sorted(Comparator.comparing(v -> instant(age, v))).limit(rows.size() - max)
          .map(id).toList().forEach(rows::remove);
    }
  }

  /** Compared as instants, not as text: "...:00Z" sorts after "...:00.5Z" as text. */
  private Instant instant(Function<V, String> field, V v) {
    return Instant.parse(field.apply(v));
  }

  Collection<V> values() {
    return rows.values();
  }

  int size() {
    return rows.size();
  }
}
