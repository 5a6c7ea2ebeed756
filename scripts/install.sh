#!/usr/bin/env bash
# Installs Pipelock as a systemd service on Debian/Ubuntu (run as root):
#
#   sudo scripts/install.sh [--transparent local|gateway] [--interface IF] [--no-start]
#
# 1. publishes a self-contained ReadyToRun build of agent/ (needs the .NET 10 SDK; or --from DIR for a build
#    published elsewhere with --stage DIR) and puts it in /opt/pipelock (swapped in whole, the old one kept until then);
# 2. installs the unit, sysusers and tmpfiles files (systemd/ -> /etc/systemd/system, /etc/sysusers.d, /etc/tmpfiles.d)
#    and creates the `pipelock` system user and its directories;
# 3. writes /etc/pipelock/pipelock.yaml from systemd/pipelock.yaml only if no such file exists;
# 4. creates the interception CA in /var/lib/pipelock/ca (owned by pipelock, key 0600) unless one exists, and puts
#    its certificate where clients can read it: /usr/local/share/pipelock/ca.pem;
# 5. enables the service and (unless --no-start) starts or restarts it, then prints what to do next.
# Re-running upgrades the binary and unit files and keeps config and CA. scripts/uninstall.sh undoes it.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/install.sh [options]
  --transparent MODE  write the new config with transparent interception on: local (this host's processes) or
                      gateway (traffic forwarded through --interface); ignored when the config already exists
  --interface IF      gateway mode: the client-facing interface (repeatable)
  --no-start          install and enable, but do not start the service now
  --from DIR          install a build already published into DIR (by --stage) instead of publishing one
  --stage DIR         only publish the self-contained build into DIR, install nothing (no root needed)
  -h, --help          this text
EOF
}

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/opt/pipelock
CONFIG=/etc/pipelock/pipelock.yaml
CA_DIR=/var/lib/pipelock/ca
PUBLIC_DIR=/usr/local/share/pipelock
UNIT_DIR=/etc/systemd/system
SYSUSERS=/etc/sysusers.d/pipelock.conf
TMPFILES=/etc/tmpfiles.d/pipelock.conf

from="" stage="" transparent="" start=1
interfaces=()
while [ $# -gt 0 ]; do
  case "$1" in
    --transparent) transparent=${2:?--transparent needs local or gateway}; shift 2 ;;
    --interface) interfaces+=("${2:?--interface needs a name}"); shift 2 ;;
    --no-start) start=0; shift ;;
    --from) from=${2:?--from needs a directory}; shift 2 ;;
    --stage) stage=${2:?--stage needs a directory}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

step() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

case "$transparent" in
  ""|local) ;;
  gateway) [ "${#interfaces[@]}" -gt 0 ] || die "--transparent gateway needs --interface IF (the client-facing interface)" ;;
  *) die "--transparent takes local or gateway, not '$transparent'" ;;
esac
for i in "${interfaces[@]}"; do
  [[ "$i" =~ ^[A-Za-z0-9_.@-]{1,15}$ ]] || die "--interface '$i' is not an interface name"
done

# dotnet publish into DIR. Own artifacts path: the source tree may be read-only (a synced folder, a bind mount) and
# a developer's bin/ and obj/ are left as they were.
publish() {
  local out=$1 rid
  command -v dotnet >/dev/null 2>&1 || die "publishing needs the .NET 10 SDK (dotnet) on PATH; or pass --from DIR with a build published by 'scripts/install.sh --stage DIR' elsewhere"
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64|arm64) rid=linux-arm64 ;;
    *) die "no .NET runtime identifier for $(uname -m)" ;;
  esac
  local artifacts
  artifacts=$(mktemp -d /tmp/pipelock-publish.XXXXXX)
  step "publishing a self-contained $rid build into $out"
  # ReadyToRun: precompiled code, so a (re)start reaches READY sooner (0.9 s vs 1.1 s to /health here); idle RSS is
  # about the same (+5 MB of larger images).
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$SRC/agent/Pipelock.Agent.csproj" -c Release -r "$rid" \
    --self-contained true -p:PublishReadyToRun=true --artifacts-path "$artifacts" -o "$out" -nologo -clp:ErrorsOnly \
    || { rm -rf "$artifacts"; die "dotnet publish failed"; }
  rm -rf "$artifacts"
  [ -x "$out/pipelock" ] || die "the publish did not produce $out/pipelock"
}

if [ -n "$stage" ]; then
  mkdir -p "$stage"
  publish "$(cd "$stage" && pwd)"
  step "published; install it on a machine with: sudo scripts/install.sh --from $stage"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root (sudo scripts/install.sh): it writes /opt, /etc and systemd units"
{ command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; } || die "systemd is not running on this machine"
# ExecReload= sends SIGHUP with /bin/kill (procps), which minimal images lack.
[ -x /bin/kill ] || die "/bin/kill is missing (apt-get install procps): the unit's ExecReload needs it"
command -v runuser >/dev/null 2>&1 || die "runuser is missing (util-linux): the CA is created as the service user with it"
for f in pipelock.service pipelock.sysusers pipelock.tmpfiles pipelock.yaml; do
  [ -f "$SRC/systemd/$f" ] || die "missing $SRC/systemd/$f (run this script from a Pipelock source tree)"
done

# 1. The binary: publish (or take --from) into a sibling directory, prove it runs here, then swap, so a failed or
# foreign-architecture build leaves the installed version untouched.
new="$PREFIX.new"
rm -rf "$new"
if [ -n "$from" ]; then
  [ -x "$from/pipelock" ] || die "--from $from: no executable 'pipelock' there (make one with scripts/install.sh --stage DIR)"
  step "installing the build from $from"
  mkdir -p "$new"
  # -L: copy what links point at, so nothing in /opt/pipelock leads back into the stage owner's tree.
  cp -RL "$from/." "$new/"
else
  publish "$new"
fi
chown -R root:root "$new"
chmod -R u=rwX,go=rX "$new"
"$new/pipelock" version >/dev/null 2>&1 || { rm -rf "$new"; die "the new build does not run on this machine (built for another architecture?); the installed one is untouched"; }
upgraded=0
if [ -d "$PREFIX" ]; then rm -rf "$PREFIX.old"; mv "$PREFIX" "$PREFIX.old"; upgraded=1; fi
mv "$new" "$PREFIX"
rm -rf "$PREFIX.old"

# 2. Unit, user, directories.
step "installing the unit, sysusers and tmpfiles files"
install -m 0644 "$SRC/systemd/pipelock.service" "$UNIT_DIR/pipelock.service"
install -D -m 0644 "$SRC/systemd/pipelock.sysusers" "$SYSUSERS"
install -D -m 0644 "$SRC/systemd/pipelock.tmpfiles" "$TMPFILES"
systemd-sysusers "$SYSUSERS"
systemd-tmpfiles --create "$TMPFILES"
systemctl daemon-reload

# 3. Config: written once; an administrator's file is never replaced.
if [ -e "$CONFIG" ]; then
  step "keeping the existing $CONFIG"
  [ -z "$transparent" ] || echo "    note: --transparent $transparent ignored; edit transparent: in $CONFIG yourself"
else
  step "writing the default config to $CONFIG"
  scope=""
  if [ "$transparent" = gateway ]; then
    scope="  interfaces: [$(printf '"%s", ' "${interfaces[@]}" | sed 's/, $//')]"
  fi
  tmp=$(mktemp "$CONFIG.XXXXXX")
  sed -e "s/@TLS_INTERCEPTION@/$([ -n "$transparent" ] && echo true || echo false)/" \
      -e "s/@TRANSPARENT_ENABLED@/$([ -n "$transparent" ] && echo true || echo false)/" \
      -e "s/@TRANSPARENT_MODE@/${transparent:-local}/" \
      -e "s/^@TRANSPARENT_SCOPE@\$/$scope/" "$SRC/systemd/pipelock.yaml" > "$tmp"
  chown root:pipelock "$tmp"
  chmod 0640 "$tmp"
  mv "$tmp" "$CONFIG"
fi

# 4. CA: created once, by the service user itself. The directory is the service's (StateDirectory), so anything in it
# may be a link the service planted: root never creates, chowns or reads files there, the service user does, and
# what it hands back is checked to be one certificate and nothing else before it is published world-readable.
if [ -e "$CA_DIR/ca.pem" ] || [ -e "$CA_DIR/ca-key.pem" ]; then
  step "keeping the existing CA in $CA_DIR"
else
  step "creating the interception CA in $CA_DIR"
  (cd / && runuser -u pipelock -- "$PREFIX/pipelock" ca init --dir "$CA_DIR")
fi
public_tmp=$(mktemp)
(cd / && runuser -u pipelock -- cat "$CA_DIR/ca.pem") > "$public_tmp" || { rm -f "$public_tmp"; die "the service user cannot read $CA_DIR/ca.pem"; }
if [ "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$public_tmp")" != 1 ] || [ "$(grep -c -- '-----BEGIN' "$public_tmp")" != 1 ]; then
  rm -f "$public_tmp"
  die "$CA_DIR/ca.pem is not exactly one PEM certificate; not publishing it (inspect it with '$PREFIX/pipelock ca show')"
fi
install -D -m 0644 -o root -g root "$public_tmp" "$PUBLIC_DIR/ca.pem"
rm -f "$public_tmp"

# 5. Service.
systemctl enable pipelock.service >/dev/null 2>&1
if [ "$start" -eq 1 ]; then
  step "starting pipelock.service"
  # restart (not start): an upgrade must run the new binary; Type=notify makes this wait for READY.
  systemctl restart pipelock.service || { journalctl -u pipelock.service -n 30 --no-pager >&2 || true; die "pipelock.service did not start (journal above)"; }
elif [ "$upgraded" -eq 1 ] && systemctl is-active --quiet pipelock.service; then
  echo "    note: the running service still uses the old build's loaded code; 'systemctl restart pipelock' to switch"
fi

if [ "$transparent" = local ] && [ "$start" -eq 1 ]; then
  echo "    note: this host's own HTTPS (root's included) is now intercepted; tools trust it once you run '$PREFIX/pipelock ca install'"
fi
if [ "$transparent" = gateway ] && [ "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)" != 1 ]; then
  echo "    note: net.ipv4.ip_forward is off, so nothing is forwarded to capture: 'sysctl -w net.ipv4.ip_forward=1' (and persist it in /etc/sysctl.d)"
fi

cat <<EOF

Pipelock is installed: $PREFIX/pipelock, config $CONFIG, CA $CA_DIR, unit pipelock.service$([ "$start" -eq 1 ] && echo " (running)" || echo " (enabled, not started)").

Next steps
  - Clients trust the CA at $PUBLIC_DIR/ca.pem: 'sudo $PREFIX/pipelock ca install' adds it to this host's
    store; for one process set SSL_CERT_FILE to a bundle from '$PREFIX/pipelock ca export --bundle --dir $CA_DIR -o FILE'.
  - Proxy clients: HTTPS_PROXY=http://127.0.0.1:8888 HTTP_PROXY=http://127.0.0.1:8888 (health: '$PREFIX/pipelock healthcheck').
  - Transparent mode (clients that ignore proxy variables): in $CONFIG set tls_interception.enabled and
    transparent.enabled to true (mode local, or gateway with transparent.interfaces), then 'systemctl restart pipelock'
    (turning interception on needs a restart; other edits apply with 'systemctl reload pipelock').
    '$PREFIX/pipelock rules status' prints the redirect rules.
  - The app's containers (docker compose): listen where they can reach it but the world cannot, e.g. the bridge
    address ('--listen 172.17.0.1:8888' in ExecStart via 'systemctl edit pipelock'; the proxy and its /metrics,
    /stats have no authentication, so never 0.0.0.0 on a host without a firewall), give them
    HTTPS_PROXY/HTTP_PROXY=http://172.17.0.1:8888, mount $PUBLIC_DIR/ca.pem and point SSL_CERT_FILE at a bundle that
    includes it; or route them through this host in gateway mode (transparent.interfaces: [docker0]; needs
    net.ipv4.ip_forward=1, which the sandboxed service cannot set itself).
  - Logs: journalctl -u pipelock (-o json for the event fields). Uninstall: sudo $SRC/scripts/uninstall.sh [--purge].
EOF
