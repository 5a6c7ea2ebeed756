#!/usr/bin/env bash
# Transparent-interception load (issue #4): requests/s and latency for keep-alive 1 KB GETs, a new connection per
# request, 1 MB downloads and 64 KB POSTs, direct versus through `pipelock run` in transparent gateway mode, plus the
# agent's peak RSS and memory per idle connection. Needs root (network namespaces, nftables).
#
# Three namespaces of its own (tl-cl-ID, tl-px-ID, tl-sv-ID; veths created inside px with the peers moved straight
# into cl/sv, so nothing appears in the host namespace), 10.R.1.0/24 client side and 10.R.2.0/24 server side, px
# forwarding. The Kestrel upstream (bench/Pipelock.Bench --tls-upstream) listens on 443 (captured by the agent's
# rules) and 8443 (not captured: the "direct" path over the same veths). Certificates come from a throwaway CA made
# here with openssl. Everything is removed on exit, also after a failure or Ctrl-C.
#
# Usage: sudo bench/transparent-load.sh [seconds per phase, default 8] [concurrency, default 16] [idle connections, default 500] [note for the doc]
# Writes docs/transparent-load.md, or $TLOAD_OUT. $TLOAD_AGENT_ENV (e.g. "DOTNET_GCConserveMemory=7") is put in the
# agent's environment, to compare runtime settings.
# $PIPELOCK_BIN runs another agent build (e.g. the self-contained ReadyToRun one from scripts/install.sh --stage DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
concurrency=${2:-16}
idle=${3:-500}
note=${4:-}
out=${TLOAD_OUT:-docs/transparent-load.md}
agent_env=${TLOAD_AGENT_ENV:-}
[[ $(id -u) == 0 ]] || { echo "needs root (network namespaces, nftables)" >&2; exit 1; }

id=$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
r=$(( 16 + $(od -An -tu2 -N2 /dev/urandom | tr -d ' ') % 230 ))
cl=tl-cl-$id px=tl-px-$id sv=tl-sv-$id
host=upstream.bench.test
dir=$(mktemp -d /tmp/pipelock-tload-XXXXXX)
chmod 755 "$dir"
agent_pid=""
upstream_pid=""

cleanup() {
  local rc=$?
  set +e
  if [[ $rc != 0 && -f $dir/agent.log ]]; then echo "--- agent log (last 20 lines)" >&2; tail -20 "$dir/agent.log" >&2; fi
  for p in $agent_pid $upstream_pid; do kill "$p" 2>/dev/null; done
  for _ in $(seq 50); do kill -0 $agent_pid $upstream_pid 2>/dev/null || break; sleep 0.1; done
  for ns in $cl $px $sv; do
    # A process left inside keeps the namespace alive: kill by namespace membership (only our namespaces).
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dotnet build agent -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/Pipelock.Bench -c Release -nologo -clp:ErrorsOnly >/dev/null
bench_dll=$PWD/bench/Pipelock.Bench/bin/Release/net10.0/Pipelock.Bench.dll
# PIPELOCK_BIN: another build of the agent, e.g. the ReadyToRun publish scripts/install.sh --stage makes.
agent_bin=${PIPELOCK_BIN:-$PWD/agent/bin/Release/net10.0/pipelock}

# --- namespaces
for ns in $cl $px $sv; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$px" link add veth-px-cl type veth peer name veth-cl netns "$cl"
ip -n "$px" link add veth-px-sv type veth peer name veth-sv netns "$sv"
ip -n "$cl" addr add "10.$r.1.2/24" dev veth-cl
ip -n "$px" addr add "10.$r.1.1/24" dev veth-px-cl
ip -n "$px" addr add "10.$r.2.1/24" dev veth-px-sv
ip -n "$sv" addr add "10.$r.2.2/24" dev veth-sv
ip -n "$cl" link set veth-cl up; ip -n "$px" link set veth-px-cl up; ip -n "$px" link set veth-px-sv up; ip -n "$sv" link set veth-sv up
ip -n "$cl" route add default via "10.$r.1.1"
ip -n "$sv" route add default via "10.$r.2.1"
ip netns exec "$px" sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 \
  net.ipv4.conf.veth-px-cl.send_redirects=0 net.ipv4.conf.veth-px-sv.send_redirects=0
for ns in $cl $px; do
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n::1 localhost\n10.%s.2.2 %s\n' "$r" "$host" > "/etc/netns/$ns/hosts"
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # 500 idle connections need ~1000 fds in the agent

# --- throwaway public CA and the upstream's certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Pipelock bench throwaway CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host" \
  -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,IP:10.%s.2.2\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' "$host" "$r" > "$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
  -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null

# --- upstream (server namespace), bounded lifetime
ip netns exec "$sv" dotnet "$bench_dll" --tls-upstream "$dir/server.pem" "$dir/server-key.pem" 443,8443 1800 > "$dir/upstream.log" 2>&1 &
upstream_pid=$!
for _ in $(seq 100); do grep -q '@@ready' "$dir/upstream.log" && break; sleep 0.2; done
grep -q '@@ready' "$dir/upstream.log" || { cat "$dir/upstream.log" >&2; echo "upstream did not start" >&2; exit 1; }

# --- agent (proxy namespace): transparent gateway mode on the client-side veth, port 443 only
mkdir -p "$dir/agent-ca"
cat > "$dir/pipelock.yaml" <<EOF
version: 1
mode: balanced
ssrf:
  ip_allowlist: ["10.0.0.0/8"]
response_scanning:
  enabled: true
  action: block
request_body_scanning:
  enabled: true
  action: block
fetch_proxy:
  monitoring:
    max_requests_per_minute: 0
logging:
  include_allowed: false
tls_interception:
  enabled: true
  ca_cert: $dir/agent-ca/ca.pem
  ca_key: $dir/agent-ca/ca-key.pem
  upstream_ca_file: $dir/ca.pem
transparent:
  enabled: true
  mode: gateway
  listen_port: 15001
  ports: [443]
  fail_mode: open
  interfaces: ["veth-px-cl"]
EOF
env $agent_env ip netns exec "$px" "$agent_bin" run --config "$dir/pipelock.yaml" --listen 127.0.0.1:18888 > "$dir/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 150); do grep -q '"event":"startup"' "$dir/agent.log" && break; kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.2; done
grep -q '"event":"startup"' "$dir/agent.log" || { tail -30 "$dir/agent.log" >&2; echo "agent did not start" >&2; exit 1; }
{ cat "$dir/agent-ca/ca.pem"; echo; cat "$dir/ca.pem"; } > "$dir/client-roots.pem"  # echo: a PEM without a final newline would glue the two

# --- load client (client namespace), bounded: warm-up + idle test + 5 scenarios x 2 paths
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
full_note="Machine: $machine.${note:+ $note}"
timeout $(( seconds * 10 + 300 )) ip netns exec "$cl" dotnet "$bench_dll" --transparent-load "$host" 443 8443 "$dir/client-roots.pem" \
  "$agent_pid" "$seconds" "$concurrency" "$idle" "$dir/out.md" "$full_note"
{
  echo "# Transparent interception load"
  echo
  echo "Generated by \`sudo bench/transparent-load.sh $seconds $concurrency $idle\` (bench/Pipelock.Bench/TransparentLoad.cs). Not a test: numbers depend on the machine and what else runs on it."
  echo
  cat "$dir/out.md"
  blocked=$(grep -c '"event":"blocked"' "$dir/agent.log" || true)
  echo
  echo "Agent decisions logged as blocked during the run: $blocked (the load is benign, so this should be 0)."
  if [[ -n $agent_env ]]; then echo; echo "Agent environment for this run: \`$agent_env\`."; fi
} > "$out"
echo "wrote $out"
