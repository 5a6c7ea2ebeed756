#!/usr/bin/env bash
# Forward-proxy load: requests/s and added latency through `pipelock run` (real process) against the same client
# going direct, measured in the same run (bench/Pipelock.Bench --proxy-load). Bounded: fixed seconds per phase.
# Writes docs/proxy-load.md. Usage: bench/proxy-load.sh [seconds per phase, default 10] [concurrency, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
concurrency=${2:-16}
dotnet build agent -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/Pipelock.Bench -c Release -nologo -clp:ErrorsOnly >/dev/null
timeout $((seconds * 6 + 120)) dotnet bench/Pipelock.Bench/bin/Release/net10.0/Pipelock.Bench.dll \
  --proxy-load "$PWD/agent/bin/Release/net10.0/pipelock" "$seconds" "$concurrency" docs/proxy-load.md
