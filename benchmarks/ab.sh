#!/usr/bin/env bash
# Compares the working tree with another commit on one workload, in one JVM: both builds are loaded
# side by side (each in its own class loader) and measured in alternating slices, so that a host
# whose speed drifts moves both alike (see ab/InterleavedComparison.java). Prints each build's
# median rate and the median of B / A over the rounds, with quartiles. A is the commit, B the tree.
#
#   benchmarks/ab.sh <commit> <workload class> [rounds] [warm-up rounds] [slice ms]
#   benchmarks/ab.sh HEAD~1 dev.limiter.benchmarks.policy.NylasV3DecisionWorkload
#   AB_JAVA_OPTS='-Dab.keys=1' benchmarks/ab.sh HEAD dev.limiter.benchmarks.OneMillionKeysWorkload
#
# With a clean tree, "HEAD" compares a build with itself: the spread of that control is the noise
# of the method on this machine. Workloads: dev.limiter.benchmarks.OneMillionKeysWorkload
# (ab.keys, ab.clock=cached), dev.limiter.benchmarks.policy.NylasV3DecisionWorkload (ab.grants,
# ab.stepNanos, ab.requests).
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" >&2
  exit 2
fi
base=$1
workload=$2
shift 2
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
commit=$(git rev-parse --verify "$base^{commit}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Offline first (the usual case once the tree has been built), then with the network.
build() {
  mvn -q -B -o "$@" || mvn -q -B "$@"
}

echo "building the working tree (B)" >&2
build package -pl benchmarks -am -DskipTests
echo "building $commit (A)" >&2
git archive "$commit" | tar -x -C "$work"
(cd "$work" && build compile -pl limiter-api,limiter-engine,limiter-policies -am)

jar=$root/benchmarks/target/benchmarks.jar
a=$work/limiter-api/target/classes:$work/limiter-engine/target/classes:$work/limiter-policies/target/classes:$jar
b=$root/limiter-api/target/classes:$root/limiter-engine/target/classes:$root/limiter-policies/target/classes:$jar
# shellcheck disable=SC2086 # AB_JAVA_OPTS is a list of JVM options
java -Xms4g -Xmx4g -XX:+AlwaysPreTouch ${AB_JAVA_OPTS:-} -cp "$jar" \
  dev.limiter.benchmarks.ab.InterleavedComparison "$a" "$b" "$workload" "$@"
