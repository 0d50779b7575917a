#!/usr/bin/env bash
# Builds the benchmark jar, runs the whole suite (JMH with -prof gc and JSON output, the memory-per-key,
# latency and asynchronous-lateness programs) and regenerates benchmarks/REPORT.md and benchmarks/report/*.svg.
#
#   benchmarks/run.sh           quality setting: 1 fork (3, in 3 passes, for the single-key, 1M-key, batch and floor benchmarks on 1 thread),
#                               warm-up 5 x 1 s, measurement 5 x 1 s, heap flags fixed in the benchmark classes
#                               (-Xms4g -Xmx4g -XX:+AlwaysPreTouch); ~40 min
#   benchmarks/run.sh --quick   smoke setting CI runs (< 3 min on 2 cores, build included): 1 x 200 ms
#                               warm-up and measurement, forked JVMs without -XX:+AlwaysPreTouch (pre-touching
#                               4 GB costs ~2 s per fork); figures are indicative only and the report says so
#
# Needs only JDK 17 and Maven. The quality run overwrites the files of benchmarks/results/ (its subfolders of extra runs stay), REPORT.md and report/;
# --quick writes its raw results and report under benchmarks/target/quick/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=quality
case "${1:-}" in
  --quick) mode=quick ;;   # writes under benchmarks/target/quick/, never over the committed report
  "") ;;
  *) echo "usage: benchmarks/run.sh [--quick]" >&2; exit 2 ;;
esac

start=$(date +%s)
# read before the build, which raises the load average by itself: this is the one that says whether the machine was quiet
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
step() { echo "== [$(( $(date +%s) - start )) s] $*"; }
jar=benchmarks/target/benchmarks.jar
results=benchmarks/results
report_dir=benchmarks
if [[ $mode == quick ]]; then
  results=benchmarks/target/quick/results
  report_dir=benchmarks/target/quick
fi

step "build"
mvn -q -B package -pl benchmarks -am -DskipTests

mkdir -p "$results"
find "$results" -maxdepth 1 -type f -delete   # this run's files only: hand-kept subfolders (extra runs) stay
java -cp "$jar" dev.limiter.benchmarks.report.RunInfo "$results/run.json" "$mode" "benchmarks/run.sh${1:+ $1}" "$load_before"

step "sanity check: every allowed setup grants, every denied setup refuses"
java -cp "$jar" dev.limiter.benchmarks.SanityCheck

if [[ $mode == quick ]]; then
  jmh_opts=(-f 1 -wi 1 -i 1 -w 200ms -r 200ms -jvmArgsAppend "-Xms4g -Xmx4g")
  single_opts=("${jmh_opts[@]}")
  single_passes=1
  latency_opts=(--quick)
else
  jmh_opts=(-f 1 -wi 5 -i 5 -w 1s -r 1s)
  # The single-key paths compile to one of two shapes, depending on whether the JIT compiles the
  # caller's loop before the acquire path: 3 forks, so that a figure is not one draw of that order
  # (and these rows, the closest to their targets, carry error bars narrow enough to be read).
  # The 1M-key and batch rows run 3 forks too: on a shared host their figure has been seen to sit
  # in one of two modes some 30% apart, from fork to fork and within a fork, so one fork is one draw.
  # The floors run 3 forks as well: a line is judged against them, so they are read as closely as it is.
  # The 3 forks run as 3 passes of 1 fork over every one of these benchmarks, not 3 forks in a row per
  # benchmark: on a host whose speed drifts within minutes, a contender's back-to-back forks share one
  # phase of the host, and a ratio line would compare phases. The report pools each benchmark's passes
  # into one result of 3 forks (report/PooledForks.java).
  single_opts=(-f 1 -wi 5 -i 5 -w 1s -r 1s)
  single_passes=3
  latency_opts=()
fi
single='(SingleKeyAllowed|SingleKeyDenied|time\.CachedClockAcquire|OneMillionKeys|BatchAcquire|Floors)Benchmark\.'

step "JMH, 1 thread: every benchmark but the single-key, 1M-key, batch and floor ones"
java -jar "$jar" 'dev\.limiter\.benchmarks\.' -e "dev\\.limiter\\.benchmarks\\.$single" -t 1 -prof gc \
  -rf json -rff "$results/jmh-t1.json" "${jmh_opts[@]}"

for pass in $(seq 1 "$single_passes"); do
  step "JMH, 1 thread: the single-key, 1M-key, batch and floor benchmarks, pass $pass of $single_passes"
  java -jar "$jar" "dev\\.limiter\\.benchmarks\\.$single" -t 1 -prof gc \
    -rf json -rff "$results/jmh-t1-single-$pass.json" "${single_opts[@]}"
done

step "JMH, 2 threads: single key allowed (plain and leased), 1M keys, and the floors they are compared with"
java -jar "$jar" \
  'dev\.limiter\.benchmarks\.((SingleKeyAllowed|OneMillionKeys|HotKeyLease)Benchmark\.|FloorsBenchmark\.(nanoTime|casOffHeap|sharedNanoTimeCas|randomReadOffHeap|randomCasOffHeap|nanoTimeRandomCasOffHeap|mapLookup)$)' \
  -t 2 -prof gc \
  -rf json -rff "$results/jmh-t2.json" "${jmh_opts[@]}"

step "memory per key"
java -Xms4g -Xmx4g -cp "$jar" dev.limiter.benchmarks.MemoryPerKey "$results/memory.json"

step "latency (HdrHistogram)"
java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp "$jar" dev.limiter.benchmarks.LatencyHistogram \
  "$results/latency.json" "${latency_opts[@]}"

step "lateness of asynchronous acquires (timer ticks)"
java -cp "$jar" dev.limiter.benchmarks.time.AsyncLateness "$results/async-lateness.json" "${latency_opts[@]}"

wall=$(( $(date +%s) - start ))
step "report (run took ${wall} s)"
java -cp "$jar" dev.limiter.benchmarks.report.ReportGenerator "$results" "$report_dir" "$wall"
