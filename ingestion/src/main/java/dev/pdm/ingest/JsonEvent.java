package dev.pdm.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Arrays;

/**
 * One JSON event's fields as read from a token stream, not yet checked: what
 * {@link TelemetryParser#check} needs, and nothing else. Reading tokens straight into these fields
 * instead of building a Jackson tree first is most of the cost of parsing an event (a tree of 300
 * events was more than half of a {@code POST /predict}); unknown fields are skipped, not built.
 * It needs no dataset profile, so an HTTP body can be read before its {@code dataset} is known.
 *
 * <p>Usage:
 * <pre>{@code
 * try (JsonParser p = mapper.createParser(payload)) {
 *   p.nextToken();
 *   JsonEvent e = JsonEvent.read(p);             // leaves p on the event's last token
 *   TelemetryParser.Parsed parsed = parser.check(e, "FD001");
 * }
 * }</pre>
 */
public final class JsonEvent {

  /** What a JSON value was, as the checks tell values apart. */
  public enum Kind { MISSING, NULL, STRING, INTEGER, FLOAT, BOOLEAN, ARRAY, OBJECT }

  /** A scalar field: its kind, its text (a string's content; any other value's JSON), its number. */
  public record Value(Kind kind, String text, double number, boolean fitsInt) {
    static final Value MISSING = new Value(Kind.MISSING, null, Double.NaN, false);

    boolean absent() {
      return kind == Kind.MISSING || kind == Kind.NULL;
    }

    /** The value as JSON, for messages that quote what was sent. */
    String json() {
      return kind == Kind.STRING ? '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"' : text;
    }

    /** The JSON type name ("string", "number", ...), as Jackson's node types name them. */
    String typeName() {
      return switch (kind) {
        case INTEGER, FLOAT -> "number";
        case MISSING -> "nothing";
        default -> kind.name().toLowerCase(java.util.Locale.ROOT);
      };
    }
  }

  /** The name: value pairs of a {@code settings} or {@code sensors} object, in the order sent. */
  public static final class Group {
    private Value shape = Value.MISSING;
    private String[] names = new String[0];
    private Kind[] kinds = new Kind[0];
    private double[] numbers = new double[0];
    private String[] texts = new String[0];
    private int size;

    /** The group itself: MISSING, NULL, OBJECT, or what else was sent instead of an object. */
    public Value shape() {
      return shape;
    }

    public int size() {
      return size;
    }

    public String name(int i) {
      return names[i];
    }

    public Kind kind(int i) {
      return kinds[i];
    }

    public double number(int i) {
      return numbers[i];
    }

    /** Entry {@code i} as the JSON sent, for a message. */
    public String json(int i) {
      return new Value(kinds[i], texts[i], numbers[i], false).json();
    }

    private void add(String name, Value v) {
      if (size == names.length) {
        int n = Math.max(32, size * 2);
        names = Arrays.copyOf(names, n);
        kinds = Arrays.copyOf(kinds, n);
        numbers = Arrays.copyOf(numbers, n);
        texts = Arrays.copyOf(texts, n);
      }
      names[size] = name;
      kinds[size] = v.kind();
      numbers[size] = v.number();
      // numbers need no text unless a message quotes them, which only non-numbers do
      texts[size] = v.kind() == Kind.INTEGER || v.kind() == Kind.FLOAT ? null : v.text();
      size++;
    }

    private void reset(Value newShape) {
      shape = newShape;
      size = 0;
    }
  }

  private Value root;
  private Value assetId = Value.MISSING;
  private Value dataset = Value.MISSING;
  private Value cycle = Value.MISSING;
  private Value eventTime = Value.MISSING;
  private final Group settings = new Group();
  private final Group sensors = new Group();

  private JsonEvent() {}

  /**
   * Reads the value at the parser's current token as an event; a value that is not an object is
   * read whole and kept as {@link #root()}. A field sent twice counts with its last value.
   *
   * @throws IOException when the JSON is malformed
   */
  public static JsonEvent read(JsonParser p) throws IOException {
    JsonEvent e = new JsonEvent();
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_OBJECT) {
      e.root = value(p);
      return e;
    }
    e.root = new Value(Kind.OBJECT, null, Double.NaN, false);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "asset_id" -> e.assetId = value(p);
        case "dataset" -> e.dataset = value(p);
        case "cycle" -> e.cycle = value(p);
        case "event_time" -> e.eventTime = value(p);
        case "settings" -> group(p, e.settings);
        case "sensors" -> group(p, e.sensors);
        default -> p.skipChildren(); // kept in bronze's payload, not a silver column
      }
    }
    return e;
  }

  private static void group(JsonParser p, Group g) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      g.reset(value(p));
      return;
    }
    g.reset(new Value(Kind.OBJECT, null, Double.NaN, false));
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      g.add(name, value(p));
    }
  }

  /** The value at the current token; an array or object is read whole (only a message quotes it). */
  private static Value value(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> new Value(Kind.STRING, p.getText(), Double.NaN, false);
      case VALUE_NUMBER_INT -> {
        boolean fits = p.getNumberType() == JsonParser.NumberType.INT;
        yield new Value(Kind.INTEGER, p.getText(), fits ? p.getIntValue() : p.getDoubleValue(), fits);
      }
      case VALUE_NUMBER_FLOAT -> new Value(Kind.FLOAT, p.getText(), p.getDoubleValue(), false);
      case VALUE_TRUE, VALUE_FALSE -> new Value(Kind.BOOLEAN, p.getText(), Double.NaN, false);
      case VALUE_NULL -> new Value(Kind.NULL, "null", Double.NaN, false);
      case START_ARRAY -> new Value(Kind.ARRAY, structured(p, "[...]"), Double.NaN, false);
      case START_OBJECT -> new Value(Kind.OBJECT, structured(p, "{...}"), Double.NaN, false);
      default -> throw new JsonParseException(p, "expected a JSON value, got " + p.currentToken());
    };
  }

  /** An array or object as JSON when the parser has a codec to read it with, else skipped and shown as {@code elided}. */
  private static String structured(JsonParser p, String elided) throws IOException {
    if (p.getCodec() == null) {
      p.skipChildren();
      return elided;
    }
    return p.readValueAsTree().toString();
  }

  /** The event itself: OBJECT, or what was sent instead. */
  public Value root() {
    return root;
  }

  public boolean isObject() {
    return root.kind() == Kind.OBJECT;
  }

  public Value assetId() {
    return assetId;
  }

  public Value dataset() {
    return dataset;
  }

  public Value cycle() {
    return cycle;
  }

  public Value eventTime() {
    return eventTime;
  }

  public Group settings() {
    return settings;
  }

  public Group sensors() {
    return sensors;
  }
}
