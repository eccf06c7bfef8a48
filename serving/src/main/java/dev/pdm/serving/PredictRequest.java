package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import dev.pdm.ingest.JsonEvent;
import java.io.IOException;
import java.util.List;

/**
 * {@code POST /api/v1/predict}: one asset's readings, each an event in the Kafka event format
 * (README "Event format"), in any order. The events are read as landing reads a Kafka message
 * ({@link JsonEvent}) and checked by landing's own parser, so that the API accepts exactly what the
 * stream accepts.
 */
public record PredictRequest(@JsonProperty("dataset") String dataset, @JsonProperty("asset_id") String assetId,
    @JsonProperty("events") @JsonDeserialize(contentUsing = PredictRequest.Events.class) List<JsonEvent> events) {

  /** Reads each element of {@code events} from the body's tokens, with no tree in between. */
  public static final class Events extends StdDeserializer<JsonEvent> {
    public Events() {
      super(JsonEvent.class);
    }

    @Override
    public JsonEvent deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      return JsonEvent.read(p);
    }
  }
}
