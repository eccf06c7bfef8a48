package dev.pdm.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pdm.common.Names;
import dev.pdm.common.profile.DatasetProfile;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
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
    if (payload == null || payload.isBlank()) {
      return new Parsed(columns.size()).reject(RejectReason.MALFORMED_JSON, "empty message");
    }
    JsonEvent event;
    try (JsonParser p = mapper().createParser(payload)) {
      p.nextToken();
      event = JsonEvent.read(p);
      if (p.nextToken() != null) {
        return new Parsed(columns.size()).reject(RejectReason.MALFORMED_JSON,
            "not valid JSON: trailing content after the event at " + p.currentLocation().getCharOffset());
      }
    } catch (JsonProcessingException e) {
      return new Parsed(columns.size()).reject(RejectReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a String has no I/O to fail
    }
    return check(event, defaultDataset);
  }

  /**
   * An event read from JSON ({@link JsonEvent#read}, e.g. an element of an HTTP request's array),
   * checked and typed as {@link #parseJson(String, String)} does after reading.
   */
  public Parsed check(JsonEvent e, String defaultDataset) {
    Parsed p = new Parsed(columns.size());
    if (!e.isObject()) {
      return p.reject(RejectReason.NOT_AN_OBJECT, "expected a JSON object, got " + e.root().typeName());
    }
    JsonEvent.Value asset = e.assetId();
    if (asset.absent() || asset.kind() != JsonEvent.Kind.STRING || asset.text().isBlank()) {
      return p.reject(
          RejectReason.MISSING_ASSET_ID,
          asset.absent() ? "asset_id is missing" : "asset_id must be a non-empty string, got " + asset.json());
    }
    p.assetId = asset.text().trim();
    JsonEvent.Value dataset = e.dataset();
    if (!dataset.absent() && dataset.kind() != JsonEvent.Kind.STRING) {
      return p.reject(RejectReason.MISSING_DATASET, "dataset must be a string, got " + dataset.json());
    }
    if (!resolveDataset(p, dataset.absent() ? null : dataset.text(), defaultDataset)) {
      return p;
    }
    JsonEvent.Value cycle = e.cycle();
    if (!cycle.absent()) {
      if (cycle.kind() != JsonEvent.Kind.INTEGER || !cycle.fitsInt() || cycle.number() < 1) {
        return p.reject(RejectReason.INVALID_CYCLE, "cycle must be an integer >= 1, got " + cycle.json());
      }
      p.cycle = (int) cycle.number();
    }
    JsonEvent.Value time = e.eventTime();
    if (!time.absent()) {
      Instant instant = time.kind() == JsonEvent.Kind.STRING ? instant(time.text()) : null;
      if (instant == null) {
        return p.reject(
            RejectReason.INVALID_EVENT_TIME,
            "event_time must be an ISO-8601 instant such as 2026-11-22T10:15:00Z, got " + time.json());
      }
      p.eventTime = Timestamp.from(instant);
    }
    if (p.cycle == null && p.eventTime == null) {
      return p.reject(RejectReason.MISSING_TIME, "a record needs cycle or event_time; it has neither");
    }
    if (!readGroup(p, e.settings(), "settings") || !readGroup(p, e.sensors(), "sensors")) {
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

  /** A group's readings into {@code p}; names the profile does not define stay in bronze's payload only. */
  private boolean readGroup(Parsed p, JsonEvent.Group g, String group) {
    if (g.shape().absent()) {
      return true;
    }
    if (g.shape().kind() != JsonEvent.Kind.OBJECT) {
      p.reject(RejectReason.INVALID_FIELD, group + " must be an object of name: number, got " + g.shape().json());
      return false;
    }
    for (int i = 0; i < g.size(); i++) {
      Integer at = positions.get(g.name(i));
      if (at == null || g.kind(i) == JsonEvent.Kind.NULL) {
        if (at != null) {
          p.readings[at] = null; // sent twice, null the second time: the last value counts
        }
        continue;
      }
      DatasetProfile.Column column = columns.get(at);
      if (g.kind(i) != JsonEvent.Kind.INTEGER && g.kind(i) != JsonEvent.Kind.FLOAT) {
        p.reject(RejectReason.NON_NUMERIC, group + "." + column.name() + " must be a number, got " + g.json(i));
        return false;
      }
      if (!checkValue(p, column, g.number(i))) {
        return false;
      }
      p.readings[at] = g.number(i);
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
          JsonMapper.builder(new JsonFactory())
              .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
              .build();
    }
    return mapper;
  }
}
