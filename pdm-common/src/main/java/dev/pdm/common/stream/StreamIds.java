package dev.pdm.common.stream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names a streaming query is known by: its Spark query name, and the Delta idempotent-write
 * ids ({@code txnAppId}) of the tables it appends to, derived from its checkpoint's identity
 * ({@link Checkpoints#identity}) so that a replayed micro-batch (same checkpoint, same batch id) is
 * recognised and skipped.
 *
 * <p>Usage:
 * <pre>{@code
 * String appId = StreamIds.appId("pdm-ingest-stream", Checkpoints.identity(spark, checkpoint));   // pdm-ingest-stream-1f3a...
 * writer.option("txnAppId", appId).option("txnVersion", batchId);
 * }</pre>
 */
public final class StreamIds {

  private StreamIds() {}

  /** {@code prefix-<16 hex digits of SHA-256(identity)>}. */
  public static String appId(String prefix, String identity) {
    return prefix + "-" + digest(identity);
  }

  /** The query that lands a topic (ingest-stream, and score-stream's landing). */
  public static String landingQuery(String topic) {
    return "pdm-ingest-stream-" + topic;
  }

  /** The query that scores a topic for a dataset. */
  public static String scoringQuery(String dataset, String topic) {
    return "pdm-score-stream-" + dataset + "-" + topic;
  }

  /** A short stable hash of text. */
  static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
