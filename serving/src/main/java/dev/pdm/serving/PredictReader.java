package dev.pdm.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.pdm.ingest.TelemetryParser;
import dev.pdm.scoring.stream.AssetPredictor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code POST /api/v1/predict}'s body ({@code {"dataset", "asset_id", "events": [...]}}) with
 * Jackson's streaming parser, each event through landing's own parser
 * ({@link TelemetryParser#parseEvent(JsonParser, String)}) straight to doubles, so the API accepts
 * exactly what the stream accepts and builds no tree of the 300 events a request may carry.
 *
 * <p>Events are read in the same pass when the body names its dataset and asset before them (the
 * documented order, and what every client of the API sends); otherwise the first pass only counts
 * them and a second pass over the bytes reads them. Problems are reported in a fixed order whatever
 * the order of the fields: the body's syntax, asset_id, events, the dataset, then the first bad
 * event, by its index.
 *
 * <p>Usage:
 * <pre>{@code
 * PredictReader.Request r = PredictReader.read(bodyBytes, predictors, 5000);
 * r.scoring().predictor().predict(r.assetId(), r.readings());
 * }</pre>
 */
final class PredictReader {

  /** A checked request: whom to score, with what, and the readings in the order sent. */
  record Request(String dataset, String assetId, DatasetPredictors.Scoring scoring,
      List<AssetPredictor.Reading> readings) {}

  private final JsonFactory json;
  private final DatasetPredictors predictors;
  private final int maxEvents;

  PredictReader(JsonFactory json, DatasetPredictors predictors, int maxEvents) {
    this.json = json;
    this.predictors = predictors;
    this.maxEvents = maxEvents;
  }

  /** The request in {@code body}, or an {@link ApiException} (400, or 404 for a dataset nobody serves). */
  Request read(byte[] body) {
    try {
      Pass first = pass(body, null);
      if (first.assetId == null || first.assetId.isBlank()) {
        throw ApiException.badRequest("asset_id", "asset_id is required");
      }
      if (first.events == 0) {
        throw ApiException.badRequest("events", "events is required: the asset's readings, one event per cycle");
      }
      if (first.events > maxEvents) {
        throw ApiException.badRequest("events", first.events + " events; at most " + maxEvents
            + " (pdm.serve.max-events): send the latest cycles");
      }
      DatasetPredictors.Scoring scoring = predictors.get(first.dataset);
      Pass.Known known = new Pass.Known(first.dataset, first.assetId, scoring);
      Pass done = known.equals(first.readWith) ? first : pass(body, known);
      if (done.eventProblem != null) {
        throw done.eventProblem;
      }
      return new Request(first.dataset, first.assetId, scoring, done.readings);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the body is not valid JSON of this endpoint: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest(null, "the body could not be read: " + e.getMessage());
    }
  }

  /** What one pass over the body found; {@code readings} null when the events were only counted. */
  private static final class Pass {
    /** The dataset and asset (from a first pass) that let a pass read the events. */
    record Known(String dataset, String assetId, DatasetPredictors.Scoring scoring) {}

    String dataset;
    String assetId;
    int events;
    List<AssetPredictor.Reading> readings;
    /** What the events were read against; null when they were only counted. */
    Known readWith;
    ApiException eventProblem;
  }

  private Pass pass(byte[] body, Pass.Known known) throws IOException {
    Pass pass = new Pass();
    try (JsonParser in = json.createParser(body)) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.badRequest(null, "the body is a JSON object {\"dataset\", \"asset_id\", \"events\"}");
      }
      String name;
      while ((name = in.nextFieldName()) != null) {
        JsonToken t = in.nextToken();
        switch (name) {
          case "dataset" -> pass.dataset = text(in, t, "dataset");
          case "asset_id" -> pass.assetId = text(in, t, "asset_id");
          case "events" -> events(in, t, pass, known != null ? known : knownSoFar(pass));
          default -> in.skipChildren();
        }
      }
      if (in.nextToken() != null) {
        throw ApiException.badRequest(null, "the body is not valid JSON of this endpoint: more content after its object");
      }
    }
    return pass;
  }

  /** The dataset and asset when the body named both before its events and someone serves the dataset. */
  private Pass.Known knownSoFar(Pass pass) {
    if (pass.dataset == null || pass.assetId == null || pass.assetId.isBlank()) {
      return null;
    }
    try {
      return new Pass.Known(pass.dataset, pass.assetId, predictors.get(pass.dataset));
    } catch (ApiException e) {
      return null; // reported after the pass, in its turn
    }
  }

  private static String text(JsonParser in, JsonToken t, String field) throws IOException {
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      throw ApiException.badRequest(field, field + " must be a string");
    }
    return t == JsonToken.VALUE_NULL ? null : in.getValueAsString();
  }

  /** Counts the events and, when {@code known}, reads them until the first bad one or too many. */
  private void events(JsonParser in, JsonToken t, Pass pass, Pass.Known known) throws IOException {
    pass.events = 0;
    pass.readings = null;
    pass.readWith = null;
    pass.eventProblem = null;
    if (t == JsonToken.VALUE_NULL) {
      return;
    }
    if (t != JsonToken.START_ARRAY) {
      throw ApiException.badRequest("events", "events must be an array of events (README, Event format)");
    }
    List<AssetPredictor.Reading> readings = known == null ? null : new ArrayList<>();
    while (in.nextToken() != JsonToken.END_ARRAY) {
      int i = pass.events++;
      if (readings == null || pass.eventProblem != null || i >= maxEvents) {
        in.skipChildren();
        continue;
      }
      try {
        readings.add(reading(in, known, i));
      } catch (ApiException problem) {
        pass.eventProblem = problem;
        in.skipChildren();
      }
    }
    pass.readings = readings;
    pass.readWith = known;
  }

  /** Event {@code i}, read by landing's parser: what landing would reject, the API refuses, naming the event. */
  private static AssetPredictor.Reading reading(JsonParser in, Pass.Known known, int i) throws IOException {
    String field = "events[" + i + "]";
    if (in.currentToken() != JsonToken.START_OBJECT) {
      throw ApiException.badRequest(field, "an event is a JSON object (README, Event format)");
    }
    TelemetryParser.Parsed p = known.scoring().parser().parseEvent(in, known.dataset());
    if (p.reason != null) {
      throw ApiException.badRequest(field, p.reason.name() + ": " + p.message);
    }
    if (!known.dataset().equals(p.dataset) || !known.assetId().equals(p.assetId)) {
      throw ApiException.badRequest(field, "the event is of " + p.dataset + "/" + p.assetId + ", the request of "
          + known.dataset() + "/" + known.assetId() + ": send one asset's events");
    }
    if (p.cycle == null) {
      throw ApiException.badRequest(field, "the event has no cycle: predict folds readings by cycle");
    }
    double[] values = new double[p.readings.length];
    for (int r = 0; r < values.length; r++) {
      values[r] = p.readings[r] == null ? Double.NaN : p.readings[r];
    }
    return new AssetPredictor.Reading(p.cycle, values);
  }
}
