# Sourced by bin/bench-scoring, bin/bench-serve and bin/soak-scoring: a step runner that logs, and the warehouse both
# benchmarks score with, trained once per work space. Needs PDM, LOG and BENCH (the caller's name).

# bench_run <what> <command...>: output to $LOG; on failure, the log's last lines and exit 1
bench_run() {
  local what="$1"; shift
  if ! "$@" >>"$LOG" 2>&1; then
    echo "$BENCH: $what failed; last lines of $LOG:" >&2
    tail -20 "$LOG" >&2
    exit 1
  fi
}

# bench_simulate <what> <simulate options...>: `pdm simulate`, its log to $LOG; prints the events it
# published, from its result on stdout ("simulate: <rows> rows of <n> assets to ..."), not the log
bench_simulate() {
  local what="$1"; shift
  local out="$LOG.simulate.out" rows
  if ! "$PDM" simulate "$@" >"$out" 2>>"$LOG"; then
    echo "$BENCH: $what failed; last lines of $LOG:" >&2
    tail -20 "$LOG" >&2
    exit 1
  fi
  rows=$(sed -n 's/^simulate: \([0-9][0-9]*\) rows .*/\1/p' "$out")
  [[ -n "$rows" ]] || { echo "$BENCH: $what printed no result (its stdout: $(cat "$out"))" >&2; exit 1; }
  echo "$rows"
}

# bench_train_once <warehouse>: a simulated 60-engine fleet landed, its features, and champions
# trained in the warehouse's MLflow (which must be running), unless the warehouse has them already
bench_train_once() {
  local wh="$1"
  [[ ! -d "$wh/gold/features" ]] || return 0
  echo "training once (simulate, ingest-files, features, train) ..."
  bench_run "simulate" "$PDM" simulate --warehouse "$wh" --assets 60 --seed 7 --regimes 1 --output "$wh/_sim"
  bench_run "ingest-files" "$PDM" ingest-files --warehouse "$wh" --dataset SIM --split train --input "$wh/_sim"
  bench_run "features" "$PDM" features --warehouse "$wh" --dataset SIM
  bench_run "train" "$PDM" train --warehouse "$wh" --dataset SIM --cv-folds 3 \
    --set pdm.training.grid.max-depth=4 --set pdm.training.grid.max-iter=30
}

# bench_scoring_warehouse <trained> <wh> <topic>: a copy of the trained warehouse without the
# running servers' stores, and the topic made by one marker record (a stream cannot subscribe to a
# topic that does not exist; the marker lands in quarantine)
bench_scoring_warehouse() {
  local trained="$1" wh="$2" topic="$3"
  rm -rf "$wh" && mkdir -p "$wh"
  (cd "$trained" && tar --exclude=./_kafka --exclude=./_mlflow -cf - .) | (cd "$wh" && tar -xf -)
  echo "{\"$BENCH\": \"creates the topic\"}" >"$wh/marker.json"
  bench_run "publish a marker" "$PDM" publish --topic "$topic" --file "$wh/marker.json"
}

# bench_await_scorer <wh> <pid> <log>: until the scorer's first batch (the marker) is recorded in
# ops.stream_metrics, so the JVM's cold start is behind; exit 1 if the scorer ends first. Called
# right after the scorer is started: a JVM takes seconds before its first batch, so the rows counted
# first are the ones a trained warehouse held before (a demo's scorer may have written some).
bench_await_scorer() {
  local wh="$1" pid="$2" log="$3" before
  before=$("$PDM_HOME/bin/delta-rows" "$wh/ops/stream_metrics")
  for _ in $(seq 1 600); do
    [[ "$("$PDM_HOME/bin/delta-rows" "$wh/ops/stream_metrics")" -gt "$before" ]] && return 0
    kill -0 "$pid" 2>/dev/null || { echo "score-stream exited; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 1
  done
  echo "score-stream committed no batch within 10 minutes; see $log" >&2
  exit 1
}
