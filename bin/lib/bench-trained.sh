# Sourced by bin/bench-scoring and bin/bench-serve: a step runner that logs, and the warehouse both
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
