package dev.pdm.common.config;

import java.util.List;

/** Every configuration key of pdm, with its default and documentation. */
public final class PdmConfigKeys {

  private PdmConfigKeys() {}

  public static final ConfigKey WAREHOUSE =
      ConfigKey.of(
          "pdm.warehouse",
          "./warehouse",
          "Root of the Delta warehouse: a local path or a URI (s3a://, abfss://, gs://, hdfs://).");

  public static final ConfigKey REGISTER_TABLES =
      ConfigKey.of(
          "pdm.catalog.register-tables",
          "true",
          "Register the warehouse tables by name (CREATE TABLE IF NOT EXISTS ... LOCATION) in the"
              + " session catalog at start-up; keep true unless a shared metastore already has them.");

  public static final ConfigKey PROFILE =
      ConfigKey.of(
          "pdm.profile",
          "builtin:cmapss",
          "Dataset profile (settings, sensors, physical ranges): builtin:<name> or a path/URI to a"
              + " .properties file. pdm.profile.<DATASET> overrides it for one dataset.");

  public static final ConfigKey KAFKA_BOOTSTRAP =
      ConfigKey.of(
          "pdm.kafka.bootstrap-servers",
          "127.0.0.1:9092",
          "Kafka bootstrap servers. `pdm kafka start` serves this address when it is local.");

  /** Prefix of keys passed to Kafka clients as they are, e.g. security.protocol, sasl.*. */
  public static final String KAFKA_OPTION_PREFIX = "pdm.kafka.option.";

  public static final ConfigKey KAFKA_LOCAL_DIR =
      ConfigKey.of(
          "pdm.kafka.local-dir",
          "${pdm.warehouse}/_kafka",
          "Data and pid files of the local broker started by `pdm kafka start`.");

  public static final ConfigKey STREAM_CHECKPOINT_ROOT =
      ConfigKey.of(
          "pdm.stream.checkpoint-root",
          "${pdm.warehouse}/_checkpoints",
          "Where streaming queries keep their checkpoints unless --checkpoint is given.");

  public static final ConfigKey STREAM_MAX_OFFSETS_PER_TRIGGER =
      ConfigKey.of(
          "pdm.stream.max-offsets-per-trigger",
          "1000000",
          "Upper bound of Kafka records read by one micro-batch.");

  public static final ConfigKey STREAM_STARTING_OFFSETS =
      ConfigKey.of(
          "pdm.stream.starting-offsets",
          "earliest",
          "Where a new streaming query starts in the topic: earliest or latest.");

  public static final ConfigKey STREAM_FAIL_ON_DATA_LOSS =
      ConfigKey.of(
          "pdm.stream.fail-on-data-loss",
          "true",
          "Fail the query when Kafka deleted records it had not read yet (retention).");

  public static final ConfigKey STREAM_COMPACTION_INTERVAL =
      ConfigKey.of(
          "pdm.stream.compaction.interval",
          "5m",
          "How often a running stream (ingest-stream, score-stream) compacts the small files its micro-batches"
              + " added to the tables it appends to, beside the batches; 0ms: never (then only bin/pdm maintain does)."
              + " Not with --trigger available-now.");

  public static final ConfigKey STREAM_COMPACTION_TARGET_FILE_MB =
      ConfigKey.of(
          "pdm.stream.compaction.target-file-mb",
          "64",
          "Size of the files a stream's compaction writes; files of half that size or more are left alone.");

  public static final ConfigKey MLFLOW_TRACKING_URI =
      ConfigKey.of(
          "pdm.mlflow.tracking-uri",
          "http://127.0.0.1:5000",
          "MLflow tracking server; MLFLOW_TRACKING_URI in the environment overrides it.");

  public static final ConfigKey MLFLOW_TOKEN =
      ConfigKey.secret(
          "pdm.mlflow.token",
          "Bearer token of a secured MLflow server; set it from the environment, e.g."
              + " ${env:MLFLOW_TRACKING_TOKEN}.");

  public static final ConfigKey MLFLOW_LOCAL_DIR =
      ConfigKey.of(
          "pdm.mlflow.local-dir",
          "${pdm.warehouse}/_mlflow",
          "Backend store (sqlite), artifacts and pid file of the server `pdm mlflow start` runs.");

  public static final ConfigKey MLFLOW_EXPERIMENT_PREFIX =
      ConfigKey.of(
          "pdm.mlflow.experiment-prefix",
          "pdm-",
          "MLflow experiment of a dataset: this prefix and the dataset id, e.g. pdm-FD001.");

  public static final ConfigKey MODEL_NAME_PREFIX =
      ConfigKey.of(
          "pdm.training.model-name-prefix",
          "pdm",
          "Registered model names: <prefix>-<dataset>-rul and <prefix>-<dataset>-failure.");

  public static final ConfigKey MODEL_DIR =
      ConfigKey.of(
          "pdm.training.model-dir",
          "${pdm.warehouse}/_models",
          "Where trained models are saved (MLflow spark flavor layout) before they are uploaded;"
              + " with --no-tracking, the only copy.");

  public static final ConfigKey TRAINING_CV_FOLDS =
      ConfigKey.of(
          "pdm.training.cv-folds",
          "5",
          "Folds of the unit-grouped cross-validation (no asset in two folds); --cv-folds overrides.");

  public static final ConfigKey TRAINING_USE_FEEDBACK =
      ConfigKey.of(
          "pdm.training.use-feedback",
          "true",
          "Train also on streamed assets reported failed in gold.asset_events (pdm feedback failure): their"
              + " cycles up to the failure, labelled with the RUL that became known, as run-to-failure examples.");

  public static final ConfigKey TRAINING_ASSET_FRACTION =
      ConfigKey.of(
          "pdm.training.asset-fraction",
          "1.0",
          "Share of the run-to-failure assets to train on, in (0, 1]: whole assets, chosen by a hash of"
              + " asset_id, so every run takes the same ones; for fleets too large to train on in full.");

  public static final ConfigKey TRAINING_FOLD_SEED =
      ConfigKey.of(
          "pdm.training.fold-seed",
          "17",
          "Seed of the assignment of assets to folds (and of the trees' subsampling unless pdm.training.tree-seed is set).");

  public static final ConfigKey TRAINING_TREE_SEED =
      ConfigKey.of(
          "pdm.training.tree-seed",
          "",
          "Seed of the trees' subsampling; empty: pdm.training.fold-seed. Changing it alone keeps the folds.");

  public static final ConfigKey TRAINING_RUL_SEEDS =
      ConfigKey.of(
          "pdm.training.rul-seeds",
          "3",
          "Fits averaged into the final RUL model, seeded tree-seed, tree-seed + 1, ...; one GBT model with"
              + " their trees side by side (1: a single fit).");

  public static final ConfigKey TRAINING_RUL_FOLD_MODELS =
      ConfigKey.of(
          "pdm.training.rul-fold-models",
          "true",
          "Average the chosen grid point's cross-validation models (each fitted on all folds but one) into"
              + " the final RUL model beside its rul-seeds fits: more members at no extra fit.");

  public static final ConfigKey TRAINING_MAX_DEPTH =
      ConfigKey.of("pdm.training.grid.max-depth", "3", "Grid: tree depths, comma-separated.");

  public static final ConfigKey TRAINING_MAX_ITER =
      ConfigKey.of("pdm.training.grid.max-iter", "50", "Grid: boosting iterations (trees), comma-separated.");

  public static final ConfigKey TRAINING_STEP_SIZE =
      ConfigKey.of("pdm.training.grid.step-size", "0.2", "Grid: learning rates, comma-separated.");

  public static final ConfigKey TRAINING_SUBSAMPLING =
      ConfigKey.of(
          "pdm.training.grid.subsampling-rate", "0.8", "Grid: row subsampling rates per tree, comma-separated.");

  public static final ConfigKey TRAINING_MAX_BINS =
      ConfigKey.of("pdm.training.max-bins", "64", "Bins per continuous feature in the trees' split search.");

  public static final ConfigKey TRAINING_FEATURE_SUBSET =
      ConfigKey.of(
          "pdm.training.feature-subset",
          "all",
          "Features each tree node considers (MLlib featureSubsetStrategy): all, onethird, sqrt, log2,"
              + " a fraction in (0, 1] or a count.");

  public static final ConfigKey TRAINING_MIN_INSTANCES =
      ConfigKey.of(
          "pdm.training.min-instances-per-node",
          "1",
          "Fewest training rows a tree leaf may hold (larger: smoother trees).");

  public static final ConfigKey TRAINING_PARALLELISM =
      ConfigKey.of(
          "pdm.training.parallelism",
          "2",
          "Cross-validation fits run side by side (each holds its own copy of the fold's trees);"
              + " 1 fits one at a time.");

  public static final ConfigKey TRAINING_RUL_INTERVAL_LEVEL =
      ConfigKey.of(
          "pdm.training.rul-interval.level",
          "0.9",
          "Coverage of the RUL interval stored with the RUL model (conformal, from unit-grouped"
              + " out-of-fold residuals).");

  public static final ConfigKey TRAINING_RUL_INTERVAL_BANDS =
      ConfigKey.of(
          "pdm.training.rul-interval.bands",
          "5",
          "Predicted-RUL bands, cut at quantiles of the out-of-fold predictions, each with its own"
              + " interval (narrow near failure, wide far from it).");

  public static final ConfigKey TRAINING_CHECKPOINT_DIR =
      ConfigKey.of(
          "pdm.training.checkpoint-dir",
          "${pdm.warehouse}/_checkpoints/_training",
          "Spark checkpoint directory of training (unless spark.checkpoint.dir is set): boosting"
              + " truncates its lineage there every 10 trees; emptied when a fit ends.");

  public static final ConfigKey TRAINING_MAX_FALSE_ALARM_RATE =
      ConfigKey.of(
          "pdm.training.max-false-alarm-rate",
          "0.05",
          "Classifier threshold: the one with the best F1 on the validation folds among those whose"
              + " false-alarm rate (false positives / negatives) is at most this.");

  public static final ConfigKey FEATURE_SENSORS =
      ConfigKey.of(
          "pdm.features.sensors",
          "all",
          "Sensors that get features: all (the profile's sensors) or a comma-separated list. Sensors"
              + " near-constant on the training data are dropped from either and recorded.");

  public static final ConfigKey FEATURE_WINDOWS =
      ConfigKey.of(
          "pdm.features.windows",
          "10,30",
          "Rolling windows in cycles, comma-separated (each >= 2), e.g. 5,10,20,30.");

  public static final ConfigKey FEATURE_STATISTICS =
      ConfigKey.of(
          "pdm.features.statistics",
          "mean,slope",
          "Statistics computed over every rolling window: any of mean, std, min, max, slope.");

  public static final ConfigKey FEATURE_EWM_ALPHA =
      ConfigKey.of(
          "pdm.features.ewm-alpha",
          "0.2",
          "Weight of the newest cycle in the exponentially weighted mean, in (0, 1].");

  public static final ConfigKey FEATURE_BASELINE_CYCLES =
      ConfigKey.of(
          "pdm.features.baseline-cycles",
          "30",
          "First cycles of an asset that define its own early-life baseline.");

  public static final ConfigKey FEATURE_REGIMES =
      ConfigKey.of(
          "pdm.features.regimes",
          "auto",
          "Operating regimes: auto (KMeans on the settings, the fewest clusters within"
              + " pdm.features.regime-tolerance) or a number (1: one regime).");

  public static final ConfigKey FEATURE_MAX_REGIMES =
      ConfigKey.of("pdm.features.max-regimes", "8", "Most regimes auto detection tries.");

  public static final ConfigKey FEATURE_REGIME_TOLERANCE =
      ConfigKey.of(
          "pdm.features.regime-tolerance",
          "0.01",
          "Auto regimes: largest RMS distance of the settings from their regime centre, as a share"
              + " of each setting's range in the profile.");

  public static final ConfigKey FEATURE_NORMALISE =
      ConfigKey.of(
          "pdm.features.normalise",
          "auto",
          "Normalise every sensor per regime with training statistics: auto (when there is more"
              + " than one regime), always or never.");

  public static final ConfigKey FEATURE_CONSTANT_TOLERANCE =
      ConfigKey.of(
          "pdm.features.constant-tolerance",
          "1e-6",
          "A sensor is dropped when its standard deviation within every regime of the training data"
              + " is at most this share of its mean's magnitude (at least of 1).");

  public static final ConfigKey LABEL_RUL_CAP =
      ConfigKey.of(
          "pdm.labels.rul-cap",
          "125",
          "Remaining-useful-life labels are capped here (piecewise-linear target).");

  public static final ConfigKey LABEL_HORIZON =
      ConfigKey.of(
          "pdm.labels.horizon",
          "30",
          "fails_within_horizon is true when the asset fails within this many cycles.");

  public static final ConfigKey SCORING_MODEL_REFRESH =
      ConfigKey.of(
          "pdm.scoring.model-refresh-interval",
          "30s",
          "How often the stream scorer asks the registry where the champion alias points; a moved"
              + " alias is used from the next micro-batch on (a bound on the hot-swap delay).");

  public static final ConfigKey SCORING_RECENT_CYCLES =
      ConfigKey.of(
          "pdm.scoring.dedup.recent-cycles",
          "64",
          "Cycles per asset whose readings hash the stream scorer keeps, to tell a re-sent record (duplicate) from"
              + " a changed one (conflict) without reading silver; an older re-sent cycle is merged into silver"
              + " insert-only instead.");

  public static final ConfigKey SCORING_STATE_TTL =
      ConfigKey.of(
          "pdm.scoring.state.ttl",
          "30d",
          "An asset silent this long leaves the stream scorer's state store (Spark's state TTL, processing"
              + " time); when it sends again, its state is folded again from its silver history before its new"
              + " cycles are scored (one micro-batch later). Applies to checkpoints begun since pdm had it (older"
              + " ones keep every asset); none: a new checkpoint keeps every asset, as older ones do.");

  public static final ConfigKey SCORING_STATE_REFOLD_WITHIN =
      ConfigKey.of(
          "pdm.scoring.state.refold-within",
          "365d",
          "How long the stream scorer remembers that it held an asset's state (a few bytes per asset): an"
              + " asset that returns within this is folded again from silver; one silent longer starts afresh,"
              + " as a new asset does.");

  public static final ConfigKey SCORING_ASSET_RISK_REFRESH =
      ConfigKey.of(
          "pdm.scoring.asset-risk.refresh",
          "30s",
          "How often the stream scorer writes the changed assets' rows of ops.asset_risk (a view of its state);"
              + " with --trigger available-now, after every micro-batch.");

  public static final ConfigKey SCORING_RESOLVE_POLL =
      ConfigKey.of(
          "pdm.scoring.resolve.poll",
          "10s",
          "How often the stream scorer looks in gold.alerts for alerts resolved (by alerts resolve, the API or a"
              + " completed work order) and resets those assets' alerted level, so their next rise alerts again;"
              + " with --trigger available-now, once before the run.");

  public static final ConfigKey RISK_MEDIUM =
      ConfigKey.of(
          "pdm.scoring.risk.medium",
          "0.2,60",
          "MEDIUM risk: failure probability at least the first figure, or predicted RUL at most the second.");

  public static final ConfigKey RISK_HIGH =
      ConfigKey.of(
          "pdm.scoring.risk.high",
          "0.5,30",
          "HIGH risk: failure probability at least the first figure, or predicted RUL at most the second.");

  public static final ConfigKey RISK_CRITICAL =
      ConfigKey.of(
          "pdm.scoring.risk.critical",
          "0.8,10",
          "CRITICAL risk: failure probability at least the first figure, or predicted RUL at most the second.");

  public static final ConfigKey ANOMALY_Z =
      ConfigKey.of(
          "pdm.scoring.anomaly.z",
          "4.0",
          "A sensor is anomalous when its reading is this many standard deviations from the training mean of"
              + " its operating regime (REGIME_Z), or its smoothed value this many from the asset's own"
              + " first cycles (ASSET_DRIFT).");

  public static final ConfigKey ANOMALY_CRITICAL_Z =
      ConfigKey.of(
          "pdm.scoring.anomaly.critical-z",
          "6.0",
          "A persistent anomaly is CRITICAL (else WARNING) when some sensor is this many standard deviations out.");

  public static final ConfigKey ANOMALY_PERSISTENCE =
      ConfigKey.of(
          "pdm.scoring.anomaly.persistence",
          "3",
          "An anomaly is reported only after this many consecutive anomalous cycles of an asset (1: at once).");

  public static final ConfigKey SCORING_MAX_CYCLE_GAP =
      ConfigKey.of(
          "pdm.scoring.max-cycle-gap",
          "1000",
          "The stream scorer quarantines a cycle more than this many beyond its asset's last scored cycle as"
              + " CYCLE_JUMP (a counter error would otherwise make every later cycle of the asset late). 0: no limit.");

  public static final ConfigKey LATENESS_ALLOWED_CYCLES =
      ConfigKey.of(
          "pdm.scoring.lateness.allowed-cycles",
          "0",
          "How far ahead of a missing cycle the stream scorer waits for it: later cycles of the asset are held"
              + " (unscored) until the gap fills or more than this many are held, then scored without it;"
              + " a cycle arriving after that is quarantined as LATE_EVENT. 0: never wait.");

  public static final ConfigKey LATENESS_ALLOWED =
      ConfigKey.of(
          "pdm.scoring.lateness.allowed",
          "0s",
          "A time fleet's lateness allowance (a duration, e.g. 30s; 0s: never wait): the stream scorer holds an"
              + " asset's readings (unscored) until the asset has sent one this much newer, so readings out of"
              + " order by up to this much are folded in time order; a reading arriving after a newer one was"
              + " folded is quarantined as LATE_EVENT. Cycle fleets use pdm.scoring.lateness.allowed-cycles.");

  public static final ConfigKey DRIFT_CYCLE_BANDS =
      ConfigKey.of(
          "pdm.drift.cycle-bands",
          "30,60,100,150,200",
          "Upper cycles of the life-stage bands drift is stratified by (the last band is open; a time fleet's"
              + " are hours of age): the reference is reweighted to the current window's mix of bands before"
              + " comparing, so a fleet that is early in life is not reported as drifted.");

  public static final ConfigKey DRIFT_PSI_WARN =
      ConfigKey.of("pdm.drift.psi.warn", "0.1", "A feature whose PSI reaches this is reported as warn.");

  public static final ConfigKey DRIFT_PSI_DRIFT =
      ConfigKey.of("pdm.drift.psi.drift", "0.25", "A feature whose PSI reaches this has drifted.");

  public static final ConfigKey DRIFT_RETRAIN_SHARE =
      ConfigKey.of("pdm.drift.retrain.drifted-share", "0.3",
          "Retrain when at least this share of the model's features has drifted.");

  public static final ConfigKey DRIFT_RETRAIN_PREDICTION_PSI =
      ConfigKey.of("pdm.drift.retrain.prediction-psi", "0.25",
          "Retrain when the PSI of predicted RUL reaches this.");

  public static final ConfigKey DRIFT_RETRAIN_RMSE_INCREASE =
      ConfigKey.of("pdm.drift.retrain.rmse-increase", "0.2",
          "Retrain when the RMSE on assets whose RUL became known is this much worse (0.2 = 20%) than the"
              + " model's validation RMSE.");

  public static final ConfigKey DRIFT_MIN_ROWS =
      ConfigKey.of("pdm.drift.min-rows", "50",
          "Fewest current rows a drift report judges; fewer is an error (widen --where or --last-cycles).");

  public static final ConfigKey DRIFT_MIN_LABELLED_ASSETS =
      ConfigKey.of("pdm.drift.min-labelled-assets", "3",
          "Fewest assets with known RUL in the window before performance drift counts toward retraining.");

  public static final ConfigKey MAINTENANCE_RETAIN_HOURS =
      ConfigKey.of("pdm.maintenance.retain-hours", "168",
          "pdm maintain: VACUUM keeps the files of table versions this many hours old or newer (Delta's own"
              + " default, 7 days; less needs spark.databricks.delta.retentionDurationCheck.enabled=false).");

  public static final ConfigKey SERVE_HOST =
      ConfigKey.of("pdm.serve.host", "127.0.0.1",
          "Address bin/pdm serve binds; --host overrides. Any other than loopback needs pdm.serve.token.");

  public static final ConfigKey SERVE_PORT =
      ConfigKey.of("pdm.serve.port", "8080", "Port of bin/pdm serve; --port overrides (0: a free one).");

  public static final ConfigKey SERVE_TOKEN =
      ConfigKey.secret(
          "pdm.serve.token",
          "Bearer token the API's write endpoints require when set (and that a non-loopback bind needs); set it"
              + " from the environment, e.g. ${env:PDM_SERVE_TOKEN}.");

  public static final ConfigKey SERVE_MAX_REQUEST_BYTES =
      ConfigKey.of("pdm.serve.max-request-bytes", "4000000",
          "Largest request body the API reads; a larger one gets 413.");

  public static final ConfigKey SERVE_MAX_EVENTS =
      ConfigKey.of("pdm.serve.max-events", "5000", "Most events one POST /api/v1/predict may carry.");

  public static final ConfigKey SERVE_VIEW_REFRESH =
      ConfigKey.of("pdm.serve.view-refresh", "2s",
          "How often serve folds what gold.predictions and gold.alerts committed since into its in-memory view"
              + " (GET /assets, /alerts read the view: no Spark job per request).");

  public static final ConfigKey SERVE_MAX_LIVE_CLIENTS =
      ConfigKey.of("pdm.serve.max-live-clients", "100",
          "Dashboards (Server-Sent Events at /api/v1/live) serve streams to at once; one more gets 503 and polls.");

  public static final ConfigKey SERVE_HISTORY_CYCLES =
      ConfigKey.of("pdm.serve.history-cycles", "50",
          "Predictions of each asset serve keeps in memory for GET /assets/{id} (its latest cycles).");

  public static final ConfigKey SERVE_MAX_ALERTS =
      ConfigKey.of("pdm.serve.max-alerts", "100000",
          "Alerts, and as many work orders, serve keeps in memory; beyond it the oldest resolved alerts and"
              + " done or cancelled work orders are dropped from the view (the tables keep them).");

  public static List<ConfigKey> all() {
    return List.of(
        WAREHOUSE,
        REGISTER_TABLES,
        PROFILE,
        KAFKA_BOOTSTRAP,
        KAFKA_LOCAL_DIR,
        STREAM_CHECKPOINT_ROOT,
        STREAM_COMPACTION_INTERVAL,
        STREAM_COMPACTION_TARGET_FILE_MB,
        STREAM_MAX_OFFSETS_PER_TRIGGER,
        STREAM_STARTING_OFFSETS,
        STREAM_FAIL_ON_DATA_LOSS,
        MLFLOW_TRACKING_URI,
        MLFLOW_TOKEN,
        MLFLOW_LOCAL_DIR,
        MLFLOW_EXPERIMENT_PREFIX,
        FEATURE_SENSORS,
        FEATURE_WINDOWS,
        FEATURE_STATISTICS,
        FEATURE_EWM_ALPHA,
        FEATURE_BASELINE_CYCLES,
        FEATURE_REGIMES,
        FEATURE_MAX_REGIMES,
        FEATURE_REGIME_TOLERANCE,
        FEATURE_NORMALISE,
        FEATURE_CONSTANT_TOLERANCE,
        LABEL_RUL_CAP,
        LABEL_HORIZON,
        MODEL_NAME_PREFIX,
        MODEL_DIR,
        TRAINING_CV_FOLDS,
        TRAINING_USE_FEEDBACK,
        TRAINING_ASSET_FRACTION,
        TRAINING_FOLD_SEED,
        TRAINING_TREE_SEED,
        TRAINING_RUL_SEEDS,
        TRAINING_RUL_FOLD_MODELS,
        TRAINING_MAX_DEPTH,
        TRAINING_MAX_ITER,
        TRAINING_STEP_SIZE,
        TRAINING_SUBSAMPLING,
        TRAINING_MAX_BINS,
        TRAINING_FEATURE_SUBSET,
        TRAINING_MIN_INSTANCES,
        TRAINING_PARALLELISM,
        TRAINING_RUL_INTERVAL_LEVEL,
        TRAINING_RUL_INTERVAL_BANDS,
        TRAINING_CHECKPOINT_DIR,
        TRAINING_MAX_FALSE_ALARM_RATE,
        SCORING_MODEL_REFRESH,
        SCORING_RECENT_CYCLES,
        SCORING_ASSET_RISK_REFRESH,
        SCORING_STATE_TTL,
        SCORING_STATE_REFOLD_WITHIN,
        SCORING_RESOLVE_POLL,
        RISK_MEDIUM,
        RISK_HIGH,
        RISK_CRITICAL,
        ANOMALY_Z,
        ANOMALY_CRITICAL_Z,
        ANOMALY_PERSISTENCE,
        LATENESS_ALLOWED_CYCLES,
        SCORING_MAX_CYCLE_GAP,
        LATENESS_ALLOWED,
        DRIFT_CYCLE_BANDS,
        DRIFT_PSI_WARN,
        DRIFT_PSI_DRIFT,
        DRIFT_RETRAIN_SHARE,
        DRIFT_RETRAIN_PREDICTION_PSI,
        DRIFT_RETRAIN_RMSE_INCREASE,
        DRIFT_MIN_ROWS,
        DRIFT_MIN_LABELLED_ASSETS,
        MAINTENANCE_RETAIN_HOURS,
        SERVE_HOST,
        SERVE_PORT,
        SERVE_TOKEN,
        SERVE_MAX_REQUEST_BYTES,
        SERVE_MAX_EVENTS,
        SERVE_VIEW_REFRESH,
        SERVE_MAX_LIVE_CLIENTS,
        SERVE_HISTORY_CYCLES,
        SERVE_MAX_ALERTS);
  }
}
