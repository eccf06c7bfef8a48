package dev.pdm.ingest;

/** Machine-readable reason codes of {@code bronze.telemetry_quarantine}. */
public enum RejectReason {
  /** Not parseable as JSON, or empty. */
  MALFORMED_JSON,
  /** JSON, but not an object (an array, a string, a number). */
  NOT_AN_OBJECT,
  /** A text line without the profile's number of columns. */
  MALFORMED_LINE,
  /** asset_id missing, null, empty or not a string. */
  MISSING_ASSET_ID,
  /** asset_id longer than 256 characters or holding a control character. */
  INVALID_ASSET_ID,
  /** No dataset in the record and none given with --dataset; or not a valid name. */
  MISSING_DATASET,
  /** Neither cycle nor event_time. */
  MISSING_TIME,
  /** cycle is not an integer from 1 to 2^31-1. */
  INVALID_CYCLE,
  /** event_time is not an ISO-8601 instant with an offset. */
  INVALID_EVENT_TIME,
  /** settings or sensors is not an object. */
  INVALID_FIELD,
  /** A setting or sensor that is a string, boolean, array or object. */
  NON_NUMERIC,
  /** A setting or sensor that is NaN or infinite. */
  NOT_FINITE,
  /** A setting or sensor outside the profile's physical range. */
  OUT_OF_RANGE,
  /**
   * Stream scoring: a cycle more than {@code pdm.scoring.max-cycle-gap} beyond its asset's last
   * scored cycle (a counter error); not landed in silver.
   */
  CYCLE_JUMP,
  /** The key (asset_id, cycle or event_time) was landed already with other readings. */
  CONFLICTING_DUPLICATE,
  /**
   * Stream scoring: a cycle that arrived after a later cycle of its asset was scored. It is in
   * silver; the stream cannot fold it in order, so it is recorded here and not scored by the stream.
   */
  LATE_EVENT
}
