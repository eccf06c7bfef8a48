package dev.pdm.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The field names of a JSON object read with Jackson's streaming parser, as positions in a known
 * list. A producer sends an object's fields in one order (README's event format lists them so), so
 * the next name is first matched as the one after the last, byte for byte where it stands in the
 * input ({@link JsonParser#nextFieldName(com.fasterxml.jackson.core.SerializableString)}), with no
 * symbol table or map lookup: those were a quarter of reading a predict request. Any other order
 * is read the same, by lookup.
 *
 * <p>Usage:
 * <pre>{@code
 * FieldNames names = new FieldNames(List.of("s1", "s2"));
 * for (int at = names.next(in, 0); at != FieldNames.END; at = names.next(in, at + 1)) { ... }
 * }</pre>
 */
final class FieldNames implements Serializable {

  /** {@link #next}: the object ended. */
  static final int END = -2;
  /** {@link #next}: a name not in the list. */
  static final int UNKNOWN = -1;

  private final String[] names;
  private final Map<String, Integer> positions = new HashMap<>();
  private transient SerializedString[] serialized;

  FieldNames(List<String> names) {
    this.names = names.toArray(String[]::new);
    for (int i = 0; i < this.names.length; i++) {
      positions.put(this.names[i], i);
    }
  }

  /**
   * Advances {@code in} (inside an object) to its next field name and returns the name's position,
   * {@link #UNKNOWN}, or {@link #END} when the object ends; {@code expected} is the position tried first.
   */
  int next(JsonParser in, int expected) throws IOException {
    JsonToken t;
    if (expected >= 0 && expected < names.length) {
      if (in.nextFieldName(serialized()[expected])) {
        return expected;
      }
      t = in.currentToken();
    } else {
      t = in.nextToken();
    }
    if (t == JsonToken.END_OBJECT) {
      return END;
    }
    Integer at = positions.get(in.currentName());
    return at == null ? UNKNOWN : at;
  }

  private SerializedString[] serialized() {
    if (serialized == null) {
      SerializedString[] s = new SerializedString[names.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = new SerializedString(names[i]);
      }
      serialized = s;
    }
    return serialized;
  }
}
