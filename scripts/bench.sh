#!/usr/bin/env bash
# Runs the BenchmarkDotNet micro-benchmarks and writes their summaries into docs/benchmarks.md with the machine and date.
# Usage: scripts/bench.sh [extra BenchmarkDotNet args, e.g. --job short]
set -euo pipefail
cd "$(dirname "$0")/.."
art=$(mktemp -d)
dotnet run -c Release --project bench/Pipelock.Bench -- --filter '*' --artifacts "$art" --exporters github "$@"
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`scripts/bench.sh $*\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Throughput for text scanners = input bytes / mean time. Ratios are against the baseline row of the same class, measured in the same run."
  echo
  # Hand-written reading of the figures (targets, comparison with Pipelock) lives beside this file.
  [ -f docs/benchmarks-notes.md ] && { cat docs/benchmarks-notes.md; echo; }
  for f in "$art"/results/*-report-github.md; do
    echo "## $(basename "$f" -report-github.md | sed 's/^Pipelock\.Bench\.//')"
    echo
    sed -n '/^|/,$p' "$f"
    echo
  done
} > docs/benchmarks.md
rm -rf "$art"
echo "wrote docs/benchmarks.md"
