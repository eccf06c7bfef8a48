package dev.pdm.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pdm.common.Names;
import dev.pdm.common.profile.DatasetProfile;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one raw record (a JSON event or a whitespace-separated C-MAPSS line) into typed values,
 * or says why it is rejected. Pure and per record, so batch files and streams validate alike.
 */
public final class TelemetryParser implements Serializable {

  /** The payload formats landing understands. */
  public enum Format {
    /** One JSON object per record (Kafka messages, .jsonl files); see README "Event format". */
    JSON,
    /** C-MAPSS text: unit, cycle, then the profile's settings and sensors, space separated. */
    CMAPSS
  }

  /** A parsed record: the key and readings, or a reject reason. */
  public static final class Parsed {
    public String assetId;
    public String dataset;
    public Integer cycle;
    public Timestamp eventTime;
    public final Double[] readings;
    public RejectReason reason;
    public String message;

    Parsed(int readingCount) {
      readings = new Double[readingCount];
    }

    Parsed reject(RejectReason code, String why) {
      reason = code;
      message = why;
      return this;
    }
  }

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final DatasetProfile profile;
  private final List<DatasetProfile.Column> columns;
  /** Each reading's position in {@link #columns}, by name: a record's fields are looked up once each. */
  private final Map<String, Integer> positions = new HashMap<>();
  private transient ObjectMapper mapper;

  public TelemetryParser(DatasetProfile profile) {
    this.profile = profile;
    this.columns = profile.readings();
    for (int i = 0; i < columns.size(); i++) {
      positions.put(columns.get(i).name(), i);
    }
  }

  public DatasetProfile profile() {
    return profile;
  }

  public Parsed parse(Format format, String payload, String defaultDataset, String split) {
    return format == Format.JSON
        ? parseJson(payload, defaultDataset)
        : parseCmapss(payload, defaultDataset, split);
  }

  /** A JSON event: {@code {"asset_id", "dataset"?, "cycle"?, "event_time"?, "settings", "sensors"}}. */
  public Parsed parseJson(String payload, String defaultDataset) {
    Parsed p = new Parsed(columns.size());
    if (payload == null || payload.isBlank()) {
      return p.reject(RejectReason.MALFORMED_JSON, "empty message");
    }
    JsonNode root;
    try {
      root = mapper().readTree(payload);
    } catch (JsonProcessingException e) {
      return p.reject(RejectReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
    }
    return parseJson(p, root, defaultDataset);
  }

  /**
   * An event already parsed as JSON (an element of an HTTP request's array), checked and read as
   * {@link #parseJson(String, String)} does after parsing.
   */
  public Parsed parseJsonNode(JsonNode root, String defaultDataset) {
    return parseJson(new Parsed(columns.size()), root, defaultDataset);
  }

  private Parsed parseJson(Parsed p, JsonNode root, String defaultDataset) {
    if (root == null || !root.isObject()) {
      return p.reject(
          RejectReason.NOT_AN_OBJECT,
          "expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase()));
    }
    JsonNode asset = root.get("asset_id");
    if (asset == null || asset.isNull() || !asset.isTextual() || asset.asText().isBlank()) {
      return p.reject(
          RejectReason.MISSING_ASSET_ID,
          asset == null || asset.isNull()
              ? "asset_id is missing"
              : "asset_id must be a non-empty string, got " + asset);
    }
    p.assetId = asset.asText().trim();
    JsonNode dataset = root.get("dataset");
    if (dataset != null && !dataset.isNull() && !dataset.isTextual()) {
      return p.reject(RejectReason.MISSING_DATASET, "dataset must be a string, got " + dataset);
    }
    if (!resolveDataset(p, dataset == null || dataset.isNull() ? null : dataset.asText(), defaultDataset)) {
      return p;
    }
    JsonNode cycle = root.get("cycle");
    if (cycle != null && !cycle.isNull()) {
      if (!cycle.isIntegralNumber() || !cycle.canConvertToInt() || cycle.asInt() < 1) {
        return p.reject(RejectReason.INVALID_CYCLE, "cycle must be an integer >= 1, got " + cycle);
      }
      p.cycle = cycle.asInt();
    }
    JsonNode time = root.get("event_time");
    if (time != null && !time.isNull()) {
      Instant instant = time.isTextual() ? instant(time.asText()) : null;
      if (instant == null) {
        return p.reject(
            RejectReason.INVALID_EVENT_TIME,
            "event_time must be an ISO-8601 instant such as 2026-11-22T10:15:00Z, got " + time);
      }
      p.eventTime = Timestamp.from(instant);
    }
    if (p.cycle == null && p.eventTime == null) {
      return p.reject(RejectReason.MISSING_TIME, "a record needs cycle or event_time; it has neither");
    }
    if (!readGroup(p, root, "settings") || !readGroup(p, root, "sensors")) {
      return p;
    }
    return p;
  }

  /** A C-MAPSS line: {@code unit cycle setting... sensor...}; asset id {@code <dataset>-<split>-<unit>}. */
  public Parsed parseCmapss(String line, String dataset, String split) {
    Parsed p = new Parsed(columns.size());
    if (!resolveDataset(p, null, dataset)) {
      return p;
    }
    String[] fields = line == null ? new String[0] : WHITESPACE.split(line.trim());
    if (fields.length != columns.size() + 2) {
      return p.reject(
          RejectReason.MALFORMED_LINE,
          "expected " + (columns.size() + 2) + " space-separated columns (unit, cycle, "
              + columns.size() + " readings of profile " + profile.name() + "), got " + fields.length);
    }
    Integer unit = positiveInt(fields[0]);
    if (unit == null) {
      return p.reject(RejectReason.MISSING_ASSET_ID, "unit must be an integer >= 1, got '" + fields[0] + "'");
    }
    p.assetId = p.dataset + "-" + (split == null ? "live" : split) + "-" + unit;
    p.cycle = positiveInt(fields[1]);
    if (p.cycle == null) {
      return p.reject(RejectReason.INVALID_CYCLE, "cycle must be an integer >= 1, got '" + fields[1] + "'");
    }
    for (int i = 0; i < columns.size(); i++) {
      double value;
      try {
        value = Double.parseDouble(fields[i + 2]);
      } catch (NumberFormatException e) {
        return p.reject(
            RejectReason.NON_NUMERIC, columns.get(i).name() + " is not a number: '" + fields[i + 2] + "'");
      }
      if (!checkValue(p, columns.get(i), value)) {
        return p;
      }
      p.readings[i] = value;
    }
    return p;
  }

  private boolean resolveDataset(Parsed p, String fromRecord, String fromJob) {
    String dataset = fromRecord != null && !fromRecord.isBlank() ? fromRecord.trim() : fromJob;
    if (dataset == null || dataset.isBlank()) {
      p.reject(RejectReason.MISSING_DATASET, "no dataset in the record and none given with --dataset");
      return false;
    }
    if (!Names.isDataset(dataset)) {
      p.reject(
          RejectReason.MISSING_DATASET,
          "dataset '" + dataset + "' is not a name of letters, digits, _ and - (at most 64)");
      return false;
    }
    p.dataset = dataset;
    return true;
  }

  private boolean readGroup(Parsed p, JsonNode root, String group) {
    JsonNode node = root.get(group);
    if (node == null || node.isNull()) {
      return true;
    }
    if (!node.isObject()) {
      p.reject(RejectReason.INVALID_FIELD, group + " must be an object of name: number, got " + node);
      return false;
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Integer at = positions.get(e.getKey());
      if (at == null) {
        continue; // kept in bronze's payload, not a silver column
      }
      DatasetProfile.Column column = columns.get(at);
      JsonNode v = e.getValue();
      if (v.isNull()) {
        continue;
      }
      if (!v.isNumber()) {
        p.reject(RejectReason.NON_NUMERIC, group + "." + column.name() + " must be a number, got " + v);
        return false;
      }
      if (!checkValue(p, column, v.asDouble())) {
        return false;
      }
      p.readings[at] = v.asDouble();
    }
    return true;
  }

  private static boolean checkValue(Parsed p, DatasetProfile.Column column, double value) {
    if (!Double.isFinite(value)) {
      p.reject(RejectReason.NOT_FINITE, column.name() + " is " + value + ", not a finite number");
      return false;
    }
    if (!column.inRange(value)) {
      p.reject(
          RejectReason.OUT_OF_RANGE,
          column.name() + "=" + value + " is outside its physical range [" + column.min() + ", "
              + column.max() + "]");
      return false;
    }
    return true;
  }

  private static Integer positiveInt(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 1 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Instant instant(String text) {
    Instant utc = utcInstant(text);
    if (utc != null) {
      return utc;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The common form {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} read without a formatter (the ISO
   * parser was a fifth of a stream record's parsing); null for anything else, which the ISO parser
   * then accepts or rejects.
   */
  static Instant utcInstant(String t) {
    int n = t.length();
    if (n < 20 || n > 30 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-'
        || t.charAt(10) != 'T' || t.charAt(13) != ':' || t.charAt(16) != ':') {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int digits = n - 21;
      if (t.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      int f = digits(t, 20, n - 1);
      if (f < 0) {
        return null;
      }
      for (int i = digits; i < 9; i++) {
        f *= 10;
      }
      nanos = f;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The decimal number in {@code t[from, to)}, or -1 if a character is not a digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private ObjectMapper mapper() {
    if (mapper == null) {
      mapper =
          // the fast parser gives the same doubles as Double.parseDouble (correctly rounded), in
          // about three quarters of the time; reading numbers is most of reading an event
          JsonMapper.builder(JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
              .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
              .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .build();
    }
    return mapper;
  }
}
