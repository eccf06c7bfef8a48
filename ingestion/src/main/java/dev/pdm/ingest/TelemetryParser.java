package dev.pdm.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pdm.common.Names;
import dev.pdm.common.profile.DatasetProfile;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

  /** An event's fields, in README's order (the order producers send them in is matched first). */
  private static final FieldNames EVENT_FIELDS =
      new FieldNames(List.of("asset_id", "dataset", "cycle", "event_time", "settings", "sensors"));
  private static final int ASSET_ID = 0;
  private static final int DATASET = 1;
  private static final int CYCLE = 2;
  private static final int EVENT_TIME = 3;
  private static final int SETTINGS = 4;
  private static final int SENSORS = 5;

  /** What separates a C-MAPSS line's columns; {@link #tokens} splits on it without a regex. */
  static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final DatasetProfile profile;
  private final List<DatasetProfile.Column> columns;
  /** The readings' names, by position in {@link #columns}. */
  private final FieldNames readingNames;
  private transient ObjectMapper mapper;
  /** The last dataset name found valid: a stream's events name one dataset, checked by pattern once. */
  private transient volatile String lastValidDataset;

  public TelemetryParser(DatasetProfile profile) {
    this.profile = profile;
    this.columns = profile.readings();
    this.readingNames = new FieldNames(columns.stream().map(DatasetProfile.Column::name).toList());
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
    Event event;
    try (JsonParser in = mapper().getFactory().createParser(payload)) {
      event = readEvent(in);
      if (in.nextToken() != null) {
        return p.reject(RejectReason.MALFORMED_JSON, "not valid JSON: more content after the event's value");
      }
    } catch (JsonProcessingException e) {
      return p.reject(RejectReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return p.reject(RejectReason.MALFORMED_JSON, "not valid JSON: " + e.getMessage());
    }
    return check(p, event, defaultDataset);
  }

  /**
   * One event read from a stream of JSON (an element of an HTTP request's array), checked as
   * {@link #parseJson(String, String)} checks a message. {@code in} is at the event's first token
   * or just before it, and is left at its last; a syntax error is thrown, not returned.
   */
  public Parsed parseEvent(JsonParser in, String defaultDataset) throws IOException {
    return check(new Parsed(columns.size()), readEvent(in), defaultDataset);
  }

  /**
   * Reads one event's fields with Jackson's streaming parser: readings go straight to doubles, with
   * no tree of nodes per event (the tree was most of the allocation of a 300-event predict request).
   * The result keeps a JSON object's meaning: a field sent twice counts with its last value.
   */
  private Event readEvent(JsonParser in) throws IOException {
    JsonToken t = in.currentToken() == null ? in.nextToken() : in.currentToken();
    Event e = new Event();
    if (t != JsonToken.START_OBJECT) {
      e.notObject = t == null ? null : nodeAt(in, t);
      e.isObject = false;
      return e;
    }
    int expected = 0;
    for (int at = EVENT_FIELDS.next(in, expected); at != FieldNames.END; at = EVENT_FIELDS.next(in, expected)) {
      JsonToken v = in.nextToken();
      expected = at == FieldNames.UNKNOWN ? expected : at + 1;
      switch (at) {
        case ASSET_ID -> e.asset = nodeAt(in, v);
        case DATASET -> e.dataset = nodeAt(in, v);
        case CYCLE -> e.cycle = nodeAt(in, v);
        case EVENT_TIME -> e.time = nodeAt(in, v);
        case SETTINGS -> e.settings = readGroup(in, v);
        case SENSORS -> e.sensors = readGroup(in, v);
        default -> in.skipChildren(); // kept in bronze's payload, not a silver column
      }
    }
    return e;
  }

  /** The value at {@code in} as a node; strings, integers and null without the mapper's machinery. */
  private JsonNode nodeAt(JsonParser in, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> TextNode.valueOf(in.getText());
      case VALUE_NULL -> NullNode.getInstance();
      case VALUE_NUMBER_INT -> in.getNumberType() == JsonParser.NumberType.INT
          ? IntNode.valueOf(in.getIntValue()) : mapper().readTree(in);
      default -> mapper().readTree(in);
    };
  }

  /** A settings or sensors value: null for JSON null, else each reading's last value. */
  private Group readGroup(JsonParser in, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    Group g = new Group(columns.size());
    if (t != JsonToken.START_OBJECT) {
      g.notObject = nodeAt(in, t);
      return g;
    }
    int expected = 0;
    for (int at = readingNames.next(in, expected); at != FieldNames.END; at = readingNames.next(in, expected)) {
      JsonToken v = in.nextToken();
      if (at == FieldNames.UNKNOWN) {
        in.skipChildren(); // kept in bronze's payload, not a silver column
        continue;
      }
      expected = at + 1;
      if (v == JsonToken.VALUE_NUMBER_FLOAT || v == JsonToken.VALUE_NUMBER_INT) {
        g.put(at, Group.NUMBER, in.getDoubleValue(), null);
      } else if (v == JsonToken.VALUE_NULL) {
        g.put(at, Group.NULL, Double.NaN, null);
      } else {
        g.put(at, Group.OTHER, Double.NaN, nodeAt(in, v));
      }
    }
    return g;
  }

  /** Checks an event's fields in a fixed order (the first problem names the reject) and fills {@code p}. */
  private Parsed check(Parsed p, Event e, String defaultDataset) {
    if (!e.isObject) {
      return p.reject(
          RejectReason.NOT_AN_OBJECT,
          "expected a JSON object, got " + (e.notObject == null ? "nothing" : e.notObject.getNodeType().name().toLowerCase()));
    }
    JsonNode asset = e.asset;
    if (asset == null || asset.isNull() || !asset.isTextual() || asset.asText().isBlank()) {
      return p.reject(
          RejectReason.MISSING_ASSET_ID,
          asset == null || asset.isNull()
              ? "asset_id is missing"
              : "asset_id must be a non-empty string, got " + asset);
    }
    p.assetId = asset.asText().trim();
    String bad = Names.assetIdProblem(p.assetId);
    if (bad != null) {
      return p.reject(RejectReason.INVALID_ASSET_ID, "asset_id " + bad);
    }
    JsonNode dataset = e.dataset;
    if (dataset != null && !dataset.isNull() && !dataset.isTextual()) {
      return p.reject(RejectReason.MISSING_DATASET, "dataset must be a string, got " + dataset);
    }
    if (!resolveDataset(p, dataset == null || dataset.isNull() ? null : dataset.asText(), defaultDataset)) {
      return p;
    }
    JsonNode cycle = e.cycle;
    if (cycle != null && !cycle.isNull()) {
      if (!cycle.isIntegralNumber() || !cycle.canConvertToInt() || cycle.asInt() < 1) {
        return p.reject(RejectReason.INVALID_CYCLE, "cycle must be an integer >= 1, got " + cycle);
      }
      p.cycle = cycle.asInt();
    }
    JsonNode time = e.time;
    if (time != null && !time.isNull()) {
      Instant instant = time.isTextual() ? EventTimes.parse(time.asText()) : null;
      if (instant == null) {
        return p.reject(
            RejectReason.INVALID_EVENT_TIME,
            "event_time must be an ISO-8601 instant such as 2026-11-22T10:15:00Z, got " + time);
      }
      if (!EventTimes.storable(instant)) {
        // far enough out a timestamp overflows Spark's microseconds and fails the whole batch on
        // every replay (one event would stop the stream); past 9999 Python cannot read the row
        return p.reject(RejectReason.INVALID_EVENT_TIME, "event_time " + time.asText()
            + " is outside the range timestamps are stored in (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)");
      }
      p.eventTime = Timestamp.from(instant);
    }
    if (profile.clock() == DatasetProfile.Clock.TIME) {
      // a time fleet's cycle is the tick landing derives from event_time: one sent beside it
      // would contradict it
      if (p.cycle != null) {
        return p.reject(RejectReason.INVALID_CYCLE, "profile " + profile.name() + " counts time (clock=time):"
            + " send event_time without cycle, or give the dataset a profile with clock=cycle");
      }
      if (p.eventTime == null) {
        return p.reject(RejectReason.MISSING_TIME, "a record of profile " + profile.name()
            + " (clock=time) needs event_time");
      }
      long tick = profile.tickOf(p.eventTime.getTime());
      if (tick < 0) {
        return p.reject(RejectReason.INVALID_EVENT_TIME, "event_time " + time.asText() + " is outside the clock of"
            + " profile " + profile.name() + " (from " + DatasetProfile.TICK_EPOCH + ", in ticks of "
            + profile.intervalMillis() + " ms that fit an int)");
      }
      p.cycle = (int) tick;
    } else if (p.cycle == null && p.eventTime == null) {
      return p.reject(RejectReason.MISSING_TIME, "a record needs cycle or event_time; it has neither");
    }
    // the first reading that fails, settings before sensors, names the reject
    if (checkGroup(p, e.settings, "settings")) {
      checkGroup(p, e.sensors, "sensors");
    }
    return p;
  }

  /** A C-MAPSS line: {@code unit cycle setting... sensor...}; asset id {@code <dataset>-<split>-<unit>}. */
  public Parsed parseCmapss(String line, String dataset, String split) {
    Parsed p = new Parsed(columns.size());
    if (!resolveDataset(p, null, dataset)) {
      return p;
    }
    String[] fields = line == null ? new String[0] : tokens(line.trim());
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
    if (!dataset.equals(lastValidDataset) && !Names.isDataset(dataset)) {
      p.reject(
          RejectReason.MISSING_DATASET,
          "dataset '" + dataset + "' is not a name of letters, digits, _ and - (at most 64)");
      return false;
    }
    p.dataset = dataset;
    lastValidDataset = dataset;
    return true;
  }

  /** A group's readings into {@code p}, in the order they were first sent; false after a reject. */
  private boolean checkGroup(Parsed p, Group g, String group) {
    if (g == null) {
      return true;
    }
    if (g.notObject != null) {
      p.reject(RejectReason.INVALID_FIELD, group + " must be an object of name: number, got " + g.notObject);
      return false;
    }
    for (int k = 0; k < g.count; k++) {
      int at = g.order[k];
      DatasetProfile.Column column = columns.get(at);
      if (g.kind[at] == Group.NULL) {
        continue;
      }
      if (g.kind[at] == Group.OTHER) {
        p.reject(RejectReason.NON_NUMERIC, group + "." + column.name() + " must be a number, got " + g.other[at]);
        return false;
      }
      if (!checkValue(p, column, g.values[at])) {
        return false;
      }
      p.readings[at] = g.values[at];
    }
    return true;
  }

  /** An event's fields as read, before they are checked. */
  private static final class Event {
    boolean isObject = true;
    JsonNode notObject;
    JsonNode asset;
    JsonNode dataset;
    JsonNode cycle;
    JsonNode time;
    Group settings;
    Group sensors;
  }

  /**
   * One settings or sensors object: each known reading's last value, listed in the order the
   * readings were first sent (a JSON object's meaning, as a tree of it would hold them).
   */
  private static final class Group {
    static final byte NUMBER = 1;
    static final byte NULL = 2;
    static final byte OTHER = 3;
    JsonNode notObject;
    final byte[] kind;
    final double[] values;
    final int[] order;
    JsonNode[] other;
    int count;

    Group(int columns) {
      kind = new byte[columns];
      values = new double[columns];
      order = new int[columns];
    }

    void put(int at, byte k, double value, JsonNode node) {
      if (kind[at] == 0) {
        order[count++] = at;
      }
      kind[at] = k;
      values[at] = value;
      if (node != null) {
        if (other == null) {
          other = new JsonNode[kind.length];
        }
        other[at] = node;
      }
    }
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

  /**
   * {@code WHITESPACE.split(trimmed)} without the regular expression (a tenth of landing's CPU):
   * the tokens between runs of the characters {@code \\s} matches.
   */
  static String[] tokens(String trimmed) {
    if (trimmed.isEmpty()) {
      return new String[] {""};
    }
    ArrayList<String> out = new ArrayList<>(32);
    int n = trimmed.length();
    int start = 0;
    for (int i = 0; i < n; i++) {
      if (isSpace(trimmed.charAt(i))) {
        out.add(trimmed.substring(start, i));
        while (i + 1 < n && isSpace(trimmed.charAt(i + 1))) {
          i++;
        }
        start = i + 1;
      }
    }
    out.add(trimmed.substring(start));
    return out.toArray(new String[0]);
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  private static Integer positiveInt(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 1 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private ObjectMapper mapper() {
    if (mapper == null) {
      mapper =
          // the fast parser gives the same doubles as Double.parseDouble (correctly rounded), in
          // about three quarters of the time; reading numbers is most of reading an event
          JsonMapper.builder(JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
              .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
              .build();
    }
    return mapper;
  }
}
