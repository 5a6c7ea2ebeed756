#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian 12 machine, builds everything and runs every test project.
# Ends with the totals alone on a line: "N passed, N failed, N skipped" (summed over all test projects).
# Exit code: non-zero when anything failed or no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Debian packages the test suites use (end-to-end suites drive real clients and build network namespaces; the
# systemd suite debootstraps a Debian root once and boots it with systemd-nspawn).
PKGS=(curl ruby ruby-faraday ruby-faraday-net-http ruby-httparty iproute2 iptables nftables python3 ca-certificates
      debootstrap systemd-container vagrant)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is required and not on PATH" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Pipelock.sln -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The self-contained build the systemd suite installs, made by the installer's own publish step before any test runs
# (a minute of compiling would otherwise compete with the end-to-end tests running next to it). A build staged by the
# caller (PIPELOCK_E2E_STAGE, e.g. systemd/provision.sh's) is used as it is.
if [ -z "${PIPELOCK_E2E_STAGE:-}" ]; then
  stage=$(mktemp -d /tmp/pipelock-stage.XXXXXX)
  trap 'rm -f "$log"; rm -rf "$stage"' EXIT
  bash scripts/install.sh --stage "$stage"
  export PIPELOCK_E2E_STAGE="$stage"
fi
status=0
for proj in tests/*/*.csproj; do
  echo "== $(basename "$proj" .csproj)"
  if ! dotnet test "$proj" -c Release --no-build -nologo 2>&1 | tee -a "$log"; then status=1; fi
done

# Sum the per-project summary lines: "Passed!  - Failed:     0, Passed:    40, Skipped:     0, Total:    40, ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | awk -F'[:,]' '
  { for (i = 1; i < NF; i++) { n=split($i, w, /[^A-Za-z]+/); k=w[n]; if (k=="" && n>1) k=w[n-1]; v=$(i+1); gsub(/[^0-9]/, "", v);
      if (k=="Failed") f+=v; else if (k=="Passed") p+=v; else if (k=="Skipped") s+=v } }
  END { printf "%d %d %d\n", p, f, s }')
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then echo "error: no test ran" >&2; status=1; fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
