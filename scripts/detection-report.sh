#!/usr/bin/env bash
# Publishes the agent and regenerates docs/detection.md from the dev corpora beside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish agent -c Release -o out/pipelock -nologo -clp:ErrorsOnly >/dev/null
python3 scripts/detection_report.py --pipelock out/pipelock/pipelock "$@"
