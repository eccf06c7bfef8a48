package dev.pdm.serving;

import dev.pdm.common.Names;
import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.ingest.TelemetryParser;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.Tracking;
import dev.pdm.scoring.Anomalies;
import dev.pdm.scoring.RiskLevels;
import dev.pdm.scoring.stream.AssetPredictor;
import dev.pdm.scoring.stream.CycleScorer;
import dev.pdm.scoring.stream.TreeModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The predictor of each dataset the API has been asked about, loaded on first use (champions from
 * the registry, their feature set, the anomaly baseline) and kept following the champion aliases:
 * at most once per refresh interval a request asks the registry where they point, and a moved,
 * complete pair is loaded before it replaces the old one. The API keeps no per-asset state, so a
 * new pair on another feature-set version swaps in as easily as one on the same. A registry that
 * cannot be reached during a refresh leaves the loaded pair serving.
 */
final class DatasetPredictors {

  private static final Logger LOG = LoggerFactory.getLogger(DatasetPredictors.class);

  /** What scores a dataset's requests: landing's parser of its events, and the predictor. */
  record Scoring(TelemetryParser parser, AssetPredictor predictor) {}

  private record Loaded(Scoring scoring, ChampionModels.Champions champions, long checkedAt) {}

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final PdmConfig config;
  private final Tracking tracking;
  private final long refreshMillis;
  private final LongSupplier clock;
  private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
  private final Map<String, DatasetClock> clocks = new ConcurrentHashMap<>();
  private final Map<String, DatasetProfile> profiles = new ConcurrentHashMap<>();

  DatasetPredictors(SparkSession spark, Warehouse warehouse, PdmConfig config, Tracking tracking, long refreshMillis,
      LongSupplier clock) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.config = config;
    this.tracking = tracking;
    this.refreshMillis = refreshMillis;
    this.clock = clock;
  }

  /**
   * How a dataset counts time, from its profile (read once); a profile that cannot be read counts
   * cycles here, and the error is the predictor's to report.
   */
  DatasetClock clockOf(String dataset) {
    return clocks.computeIfAbsent(dataset, d -> {
      try {
        return DatasetClock.of(profileOf(d));
      } catch (PdmException e) {
        LOG.warn("serve: the profile of {} cannot be read ({}); its series are shown by cycle", d, e.getMessage());
        return DatasetClock.CYCLES;
      }
    });
  }

  /** A dataset's profile, read once ({@link DatasetProfile#forDataset}); a profile that cannot be read throws. */
  DatasetProfile profileOf(String dataset) {
    return profiles.computeIfAbsent(dataset, d -> DatasetProfile.forDataset(config, d));
  }

  /** The predictor of a dataset, loading or refreshing it when due. */
  Scoring get(String dataset) {
    if (dataset == null || dataset.isBlank()) {
      throw ApiException.badRequest("dataset", "a dataset is required, such as FD001");
    }
    if (!Names.isDataset(dataset)) {
      throw ApiException.badRequest("dataset", "'" + dataset + "' is not a dataset name: letters, digits, _ and -"
          + " such as FD001");
    }
    Loaded now = loaded.get(dataset);
    if (now != null && clock.getAsLong() - now.checkedAt() < refreshMillis) {
      return now.scoring();
    }
    synchronized (this) {
      now = loaded.get(dataset);
      if (now == null) {
        now = load(dataset, loadChampions(dataset));
      } else if (clock.getAsLong() - now.checkedAt() >= refreshMillis) {
        now = refresh(dataset, now);
      }
      loaded.put(dataset, now);
      return now.scoring();
    }
  }

  /** What is loaded, for the health answer. */
  List<Health.Served> served() {
    List<Health.Served> out = new ArrayList<>();
    loaded.forEach((d, l) -> out.add(new Health.Served(d, l.champions().rul().toString(),
        l.champions().failure().toString(), l.champions().featureSetVersion())));
    out.sort(java.util.Comparator.comparing(Health.Served::dataset));
    return out;
  }

  private ChampionModels.Champions loadChampions(String dataset) {
    try {
      return ChampionModels.load(spark, tracking, config, dataset);
    } catch (PdmException e) {
      throw ApiException.notFound("no champion models serve dataset " + dataset + ": " + e.getMessage());
    }
  }

  private Loaded refresh(String dataset, Loaded old) {
    try {
      ChampionModels.Pair pair = ChampionModels.aliases(tracking, config, dataset);
      if (old.champions().same(pair.rul(), pair.failure()) || !pair.complete()) {
        return new Loaded(old.scoring(), old.champions(), clock.getAsLong());
      }
      Loaded next = load(dataset, ChampionModels.load(spark, tracking, config, dataset, pair));
      LOG.info("serve: champions of {} moved: {} -> {}", dataset, old.champions(), next.champions());
      return next;
    } catch (RuntimeException e) {
      LOG.warn("serve: could not refresh the champions of {} ({}); {} keep serving", dataset, e.getMessage(),
          old.champions());
      return new Loaded(old.scoring(), old.champions(), clock.getAsLong());
    }
  }

  private Loaded load(String dataset, ChampionModels.Champions champions) {
    FeatureSet set;
    Anomalies.Baseline baseline;
    DatasetProfile profile;
    try {
      set = new FeatureSets(spark, warehouse).load(dataset, champions.featureSetVersion());
      baseline = Anomalies.fit(warehouse, set);
      profile = DatasetProfile.forDataset(config, dataset);
    } catch (PdmException e) {
      // the request is fine; this warehouse lacks what the champions need (a table, a feature set)
      throw new ApiException(503, "Service unavailable", "dataset " + dataset + " has champions (" + champions
          + ") that this server cannot load: " + e.getMessage(), null);
    }
    TreeModels models = new TreeModels(champions, set.featureNames());
    CycleScorer scorer = new CycleScorer(models, set.featureNames(), RiskLevels.from(config), baseline,
        Anomalies.Rules.from(config), set.rulUnit());
    List<String> readings = profile.readings().stream().map(DatasetProfile.Column::name).toList();
    AssetPredictor predictor = AssetPredictor.create(dataset, set, readings, scorer,
        new ChampionModels.Pair(champions.rul(), champions.failure()));
    LOG.info("serve: {} scored with {}", dataset, champions);
    return new Loaded(new Scoring(new TelemetryParser(profile), predictor), champions, clock.getAsLong());
  }
}
