#!/usr/bin/env bash
# End-to-end batch load: `pipelock check --kind K --jsonl` over 32 MB of 10 KB prose records, against an in-process
# baseline measured in the same run (bench/Pipelock.Bench --batch-baseline). Bounded: one fixed-size file, one run per
# kind, each under `timeout`. Writes docs/batch-load.md.
# Usage: bench/jsonl-load.sh [size_mb, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-32}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The benchmarks' prose vocabulary (BenchData.Prose): ordinary finance-app text, deterministic.
python3 - "$work/records.jsonl" "$size_mb" <<'PY'
import json, random, sys
words = ("the account balance was updated after the quarterly review and all transactions are listed below with their "
         "categories merchant names amounts currency dates please note that pending items may change before settlement "
         "completes today report summary budget groceries rent utilities savings transfer income salary").split()
rng = random.Random(7)
target = int(sys.argv[2]) * 1024 * 1024
with open(sys.argv[1], "w") as out:
    n = written = 0
    while written < target:
        parts, size, k = [], 0, 0
        while size < 10 * 1024:
            w = rng.choice(words); k += 1
            sep = ". " if k % 14 == 0 else ("\n" if k % 90 == 0 else " ")
            parts.append(w + sep); size += len(w) + len(sep)
        line = json.dumps({"id": f"r{n}", "text": "".join(parts)[:10 * 1024]}) + "\n"
        out.write(line); written += len(line); n += 1
PY
echo '{"id":"warm","text":"hello"}' > "$work/one.jsonl"

dotnet publish agent -c Release -o "$work/pipelock" -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/Pipelock.Bench -c Release -nologo -clp:ErrorsOnly >/dev/null
bytes=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['text'].encode()) for l in open(sys.argv[1])))" "$work/records.jsonl")

secs() { local s e; s=$(date +%s.%N); timeout 600 "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }

{
  echo "# Batch load: \`pipelock check --jsonl\`"
  echo
  echo "Produced by \`bench/jsonl-load.sh $size_mb\` on $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Input: $bytes bytes of text in 10 KB prose records. End-to-end = wall time of the CLI including start-up;"
  echo "steady = input / (wall time − wall time on a one-record file). Baseline: the same scanner in-process, same thread count."
  echo
  echo "| kind | CLI end-to-end | CLI start-up | CLI steady | in-process baseline | steady / baseline |"
  echo "|---|---|---|---|---|---|"
  for kind in dlp injection; do
    base=$(dotnet bench/Pipelock.Bench/bin/Release/net10.0/Pipelock.Bench.dll --batch-baseline "$kind" "$work/records.jsonl")
    mbps=$(sed 's/.*mbps=//' <<<"$base")
    startup=$(secs "$work/pipelock/pipelock" check --kind "$kind" --jsonl "$work/one.jsonl")
    total=$(secs "$work/pipelock/pipelock" check --kind "$kind" --jsonl "$work/records.jsonl")
    e2e=$(echo "scale=1; $bytes / 1000000 / $total" | bc)
    steady=$(echo "scale=1; $bytes / 1000000 / ($total - $startup)" | bc)
    ratio=$(echo "scale=2; $steady / $mbps" | bc)
    echo "| $kind | ${e2e} MB/s (${total%???????} s) | ${startup%???????} s | ${steady} MB/s | ${mbps} MB/s | ${ratio} |"
  done
} | tee docs/batch-load.md
