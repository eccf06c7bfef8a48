package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code POST /api/v1/predict}: one asset's readings, each an event in the Kafka event format
 * (README "Event format"), in any order. The events stay JSON here because they are parsed by
 * landing's own parser, so that the API accepts exactly what the stream accepts.
 */
public record PredictRequest(@JsonProperty("dataset") String dataset, @JsonProperty("asset_id") String assetId,
    @JsonProperty("events") List<JsonNode> events) {}
