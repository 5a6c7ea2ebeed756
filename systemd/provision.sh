#!/usr/bin/env bash
# Provisions a Debian 12 machine for Pipelock. The Vagrantfile's two machines run it; a container test runs the server
# role as far as it gets without a hypervisor (e.g. --skip-sdk --from DIR --skip-tests --skip-smoke).
#
#   server (default): apt packages -> .NET 10 SDK -> build (NuGet restore happens here, before any capture) ->
#     scripts/install.sh -> CA trusted system-wide -> service restarted in transparent `local` mode (this host's own
#     80/443, root's included) or `gateway` mode (traffic forwarded from a private-network interface) -> healthcheck ->
#     smoke check (local) -> every test (scripts/test.sh).
#   client: the server's CA in the system store -> default route via the server -> smoke check through the gateway.
#
# Idempotent: a re-run converges (packages present are not reinstalled, an unchanged mode keeps the config).
# Every option can also be given as an environment variable (Vagrant's `env:`), shown in brackets.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: provision.sh [options]
  --role server|client   what this machine is                                   [PIPELOCK_ROLE, default server]
  --mode local|gateway   server: transparent mode                               [PIPELOCK_MODE, default local]
  --server-ip IP         server: its private-network address (gateway mode: finds the interface, serves the CA there)
                         client: the gateway to route through (required)        [PIPELOCK_SERVER_IP]
  --interface IF         server, gateway mode: the interface clients arrive on  [PIPELOCK_INTERFACE, default: the one
                         holding --server-ip]
  --source DIR           the repository                                         [PIPELOCK_SOURCE, default: this script's]
  --shared DIR           the shared/ reference directory some tests read        [PIPELOCK_SHARED, default: DIR/../shared]
  --from DIR             install this already-published build (no build; no SDK unless tests run) [PIPELOCK_FROM]
  --skip-sdk             do not install the SDK: use dotnet on PATH, or fail    [PIPELOCK_SKIP_SDK=1]
  --skip-tests           do not run scripts/test.sh                             [PIPELOCK_SKIP_TESTS=1]
  --skip-smoke           do not send the smoke-check requests (they go to --smoke-url) [PIPELOCK_SKIP_SMOKE=1]
  --smoke-url URL        HTTPS URL for the smoke check                          [PIPELOCK_SMOKE_URL, default https://example.com/]
EOF
}

ROLE=${PIPELOCK_ROLE:-server}
MODE=${PIPELOCK_MODE:-local}
SERVER_IP=${PIPELOCK_SERVER_IP:-}
INTERFACE=${PIPELOCK_INTERFACE:-}
SOURCE=${PIPELOCK_SOURCE:-}
SHARED=${PIPELOCK_SHARED:-}
FROM=${PIPELOCK_FROM:-}
SKIP_SDK=${PIPELOCK_SKIP_SDK:-0}
SKIP_TESTS=${PIPELOCK_SKIP_TESTS:-0}
SKIP_SMOKE=${PIPELOCK_SKIP_SMOKE:-0}
SMOKE_URL=${PIPELOCK_SMOKE_URL:-https://example.com/}

while [ $# -gt 0 ]; do
  case "$1" in
    --role) ROLE=${2:?--role needs a value}; shift 2 ;;
    --mode) MODE=${2:?--mode needs a value}; shift 2 ;;
    --server-ip) SERVER_IP=${2:?--server-ip needs a value}; shift 2 ;;
    --interface) INTERFACE=${2:?--interface needs a value}; shift 2 ;;
    --source) SOURCE=${2:?--source needs a value}; shift 2 ;;
    --shared) SHARED=${2:?--shared needs a value}; shift 2 ;;
    --from) FROM=${2:?--from needs a value}; shift 2 ;;
    --skip-sdk) SKIP_SDK=1; shift ;;
    --skip-tests) SKIP_TESTS=1; shift ;;
    --skip-smoke) SKIP_SMOKE=1; shift ;;
    --smoke-url) SMOKE_URL=${2:?--smoke-url needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "provision: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

# Where provisioning keeps its own state: the local build copy, the published build, the mode last configured.
STATE=/var/lib/pipelock-provision
AGENT=/opt/pipelock/pipelock
CONFIG=/etc/pipelock/pipelock.yaml
CA_DIR=/var/lib/pipelock/ca
PUBLIC_CA=/usr/local/share/pipelock/ca.pem
# The server hands its public CA certificate to clients over the private network on this port (gateway mode only):
# the Vagrantfile's synced folder is rsync, one way (host to guest), so it cannot carry a file between guests.
CA_PORT=8079
CLIENT_CA=/usr/local/share/ca-certificates/pipelock-gateway.crt
# Per need, so a run that only installs (--from --skip-tests --skip-smoke) asks for nothing a minimal systemd root
# lacks and works offline. The suite's own list is read from scripts/test.sh (installed here, before any capture).
APT_BASE=(curl ca-certificates iproute2 nftables)
APT_BUILD=(rsync)
APT_SMOKE=(ruby)
APT_CLIENT=(curl ca-certificates ruby iproute2)
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

STEP=0
step() { STEP=$((STEP + 1)); echo "==> provision [$ROLE] $STEP. $*"; }
info() { echo "    $*"; }
die() { echo "provision: error: $*" >&2; exit 1; }
is_true() { case "${1,,}" in 1|true|yes) return 0 ;; *) return 1 ;; esac; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 ...)"
case "$ROLE" in server|client) ;; *) die "--role must be server or client, not '$ROLE'" ;; esac
case "$MODE" in local|gateway) ;; *) die "--mode must be local or gateway, not '$MODE'" ;; esac
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  [ "${ID:-}" = debian ] || info "warning: written for Debian 12, this is ${PRETTY_NAME:-unknown}"
fi

# ---------------------------------------------------------------------------------------------------------- helpers

apt_ensure() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -eq 0 ]; then info "all present: $*"; return; fi
  info "installing: ${missing[*]}"
  apt-get update -qq || die "apt-get update failed (no network?); missing packages: ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Writes $1 from stdin only when the content differs; returns 0 when it changed (so callers restart only then).
write_if_changed() {
  local target=$1 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$target" ] && cmp -s "$tmp" "$target"; then rm -f "$tmp"; return 1; fi
  install -D -m 0644 "$tmp" "$target"
  rm -f "$tmp"
  return 0
}

# An AWS-format access key id made now ("AKIA" + 16 base32 characters): the planted secret of the smoke check.
# 256 is a multiple of 32, so byte % 32 picks each character uniformly.
random_aws_key() {
  local alphabet=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 key=AKIA b
  for b in $(od -An -N16 -tu1 /dev/urandom); do key+=${alphabet:$((b % 32)):1}; done
  printf '%s' "$key"
}

# The smoke check, run as root with no proxy variables: the TLS certificate the client sees is issued by Pipelock's CA
# (Ruby's Net::HTTP, verifying against the system store), and a request carrying a planted secret is refused (403).
smoke_check() {
  local url=$SMOKE_URL issuer secret sep status
  if is_true "$SKIP_SMOKE"; then info "skipped (--skip-smoke)"; return; fi
  info "target: $url (a public site: this request leaves the VM)"
  issuer=$(env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
    -u SSL_CERT_FILE -u SSL_CERT_DIR ruby -rnet/http -ropenssl -e '
      uri = URI(ARGV[0])
      http = Net::HTTP.new(uri.host, uri.port, nil)   # nil: never a proxy
      http.use_ssl = true
      http.verify_mode = OpenSSL::SSL::VERIFY_PEER
      http.open_timeout = http.read_timeout = 20
      http.start { |h| h.get(uri.request_uri); puts h.peer_cert.issuer.to_s }' "$url") ||
    die "smoke: the HTTPS request to $url failed (see above); is the Pipelock CA trusted and the service up?"
  info "certificate issuer: $issuer"
  case "$issuer" in
    *O=Pipelock*) info "ok: the certificate was issued by the Pipelock interception CA" ;;
    *) die "smoke: $url was not intercepted (issuer '$issuer' is not the Pipelock CA)" ;;
  esac

  secret=$(random_aws_key)
  case "$url" in *\?*) sep='&' ;; *) sep='?' ;; esac
  status=$(env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
    curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "${url}${sep}aws_access_key_id=${secret}") ||
    die "smoke: the request with the planted secret failed without an HTTP answer"
  [ "$status" = 403 ] || die "smoke: a request carrying an AWS-format key got HTTP $status, expected 403 from Pipelock"
  info "ok: a request carrying a planted AWS-format key got HTTP 403"
}

# --------------------------------------------------------------------------------------------------------- server

interface_of() {
  ip -o -4 addr show | awk -v ip="$1" '{ split($4, a, "/"); if (a[1] == ip) { print $2; exit } }'
}

server_main() {
  local need_build=1 need_sdk=1 built_src="" stage wanted marker
  [ -z "$FROM" ] || need_build=0
  # The suite builds the solution, so it needs the SDK even when the agent comes prebuilt.
  if [ "$need_build" -eq 0 ] && is_true "$SKIP_TESTS"; then need_sdk=0; fi
  [ -z "$FROM" ] || [ -x "$FROM/pipelock" ] || die "--from $FROM: no executable 'pipelock' there (a 'scripts/install.sh --stage DIR' output)"
  [ -x "$SOURCE/scripts/install.sh" ] || die "$SOURCE/scripts/install.sh not found or not executable (--source names the repository)"
  mkdir -p "$STATE"

  if [ "$MODE" = gateway ]; then
    if [ -z "$INTERFACE" ]; then
      [ -n "$SERVER_IP" ] || die "gateway mode needs --interface IF or --server-ip IP (the address clients route through)"
      INTERFACE=$(interface_of "$SERVER_IP")
      [ -n "$INTERFACE" ] || die "no interface holds $SERVER_IP (ip -4 addr shows: $(ip -o -4 addr show | awk '{print $2, $4}' | tr '\n' ' '))"
    fi
    ip link show dev "$INTERFACE" >/dev/null 2>&1 || die "interface $INTERFACE does not exist"
    # The CA is served on the interface's own address.
    [ -n "$SERVER_IP" ] || SERVER_IP=$(ip -o -4 addr show dev "$INTERFACE" | awk '{ split($4, a, "/"); print a[1]; exit }')
  fi

  step "pause interception while provisioning (apt and NuGet must not depend on the agent being rebuilt)"
  if systemctl is-active --quiet pipelock 2>/dev/null; then
    systemctl stop pipelock
    info "stopped pipelock.service"
  else
    info "pipelock.service is not running"
  fi
  # fail_mode closed keeps the rules after the agent stops, so lift them explicitly; restarting reinstalls them.
  if [ -x "$AGENT" ]; then "$AGENT" rules remove || info "warning: 'pipelock rules remove' failed; continuing"; fi

  step "apt packages"
  local packages=("${APT_BASE[@]}")
  if [ "$need_build" -eq 1 ] || ! is_true "$SKIP_TESTS"; then packages+=("${APT_BUILD[@]}"); fi
  is_true "$SKIP_SMOKE" || [ "$MODE" != local ] || packages+=("${APT_SMOKE[@]}")
  if ! is_true "$SKIP_TESTS"; then
    # test.sh would install what it misses itself, but by then this host's traffic is captured.
    local line test_pkgs=()
    line=$(sed -n '/^PKGS=(/,/)/{s/^PKGS=(//;s/).*$//;p;}' "$SOURCE/scripts/test.sh" | tr '\n' ' ')
    if [ -n "$line" ]; then read -r -a test_pkgs <<<"$line"; packages+=("${test_pkgs[@]}"); fi
  fi
  apt_ensure "${packages[@]}"

  step ".NET 10 SDK"
  if [ "$need_sdk" -eq 0 ]; then
    info "not needed (--from with --skip-tests)"
  elif is_true "$SKIP_SDK"; then
    command -v dotnet >/dev/null 2>&1 || die "--skip-sdk: no dotnet on PATH; install the .NET 10 SDK or drop --skip-sdk"
    dotnet --list-sdks | grep -q '^10\.' || die "--skip-sdk: dotnet on PATH has no 10.x SDK ($(dotnet --list-sdks | tr '\n' ' '))"
    info "using $(command -v dotnet): $(dotnet --list-sdks | grep '^10\.' | tail -n1)"
  else
    install_sdk
  fi

  if [ "$need_build" -eq 1 ] || ! is_true "$SKIP_TESTS"; then
    step "copy the source to a local build directory ($STATE/src)"
    # A build in the synced folder would write bin/ and obj/ into the host's tree (vboxsf and NFS) or have them deleted
    # by the next 'vagrant rsync'; a local copy avoids both. bin/ and obj/ are excluded, so --delete keeps them.
    rsync -a --delete --exclude .git/ --exclude .vagrant/ --exclude bin/ --exclude obj/ --exclude /out/ \
      --exclude TestResults/ "$SOURCE/" "$STATE/src/"
    built_src=$STATE/src
    [ -n "$SHARED" ] || SHARED=$(cd "$SOURCE/.." && pwd)/shared
    if [ -d "$SHARED" ]; then
      # The tests look for shared/ beside the repository, i.e. $STATE/shared for the copy.
      rsync -a --delete "$SHARED/" "$STATE/shared/"
      info "shared reference data: $SHARED -> $STATE/shared"
    else
      info "no shared/ directory at $SHARED: the tests that read its reference fixtures will fail"
    fi
  fi

  step "build (every NuGet download happens here, before anything is captured)"
  if [ "$need_build" -eq 1 ]; then
    stage=$STATE/publish
    info "publishing the agent: scripts/install.sh --stage $stage"
    (cd "$built_src" && scripts/install.sh --stage "$stage")
  else
    stage=$FROM
    info "no build: installing the published build in $FROM"
  fi
  if ! is_true "$SKIP_TESTS"; then
    # Restored and built now, so the suite's own build later finds everything in place. The self-contained publish
    # restores for a runtime identifier; this build leaves the assets as the plain build expects them.
    info "building the solution for the test suite"
    (cd "$built_src" && dotnet build Pipelock.sln -c Release -nologo -clp:ErrorsOnly)
  fi

  step "install (scripts/install.sh --from $stage, transparent $MODE${INTERFACE:+ on $INTERFACE})"
  # install.sh writes the config only when absent; a mode change therefore moves the old one aside first.
  wanted="mode=$MODE interface=$INTERFACE"
  marker=$STATE/configured-mode
  if [ -f "$CONFIG" ] && [ "$(cat "$marker" 2>/dev/null || true)" != "$wanted" ]; then
    local backup
    backup="$CONFIG.$(date -u +%Y%m%dT%H%M%SZ).bak"
    mv "$CONFIG" "$backup"
    info "transparent mode changes to '$wanted': previous config kept as $backup"
  fi
  local install_args=(--from "$stage" --transparent "$MODE" --no-start)
  [ "$MODE" != gateway ] || install_args+=(--interface "$INTERFACE")
  "${SOURCE}/scripts/install.sh" "${install_args[@]}"
  echo "$wanted" >"$marker"

  step "trust the Pipelock CA system-wide"
  # In local mode this host's own HTTPS is intercepted, root's included: every tool here must trust the CA.
  "$AGENT" ca install --dir "$CA_DIR"

  step "forwarding and NAT for gateway clients"
  if [ "$MODE" = gateway ]; then configure_gateway; else unconfigure_gateway; fi

  step "start pipelock.service (transparent $MODE) and wait for its healthcheck"
  systemctl daemon-reload
  systemctl enable --quiet pipelock
  systemctl restart pipelock || { journalctl -u pipelock --no-pager -n 50 || true; die "pipelock.service did not start (journal above)"; }
  local i
  for i in $(seq 1 60); do
    if "$AGENT" healthcheck --addr 127.0.0.1:8888 >/dev/null 2>&1; then break; fi
    if [ "$i" -eq 60 ]; then
      systemctl status --no-pager pipelock || true
      journalctl -u pipelock --no-pager -n 50 || true
      die "pipelock did not become healthy within 60 s"
    fi
    sleep 1
  done
  info "healthy: $("$AGENT" healthcheck --addr 127.0.0.1:8888 2>&1 | head -n1)"
  "$AGENT" rules status | sed 's/^/    /' || true

  step "smoke check"
  if [ "$MODE" = local ]; then
    smoke_check
  else
    info "gateway mode: the client machine's provisioning checks the forwarded path; serving the CA on $SERVER_IP:$CA_PORT"
  fi

  step "test suite (scripts/test.sh)"
  if is_true "$SKIP_TESTS"; then
    info "skipped (--skip-tests)"
  else
    # The E2E tests build their own network namespaces, so this host's capture rules do not touch them; the restore
    # above made the suite's own build a no-op for NuGet. The systemd tests install a published build: the one made
    # above (or given with --from), instead of publishing another.
    (cd "$built_src" && PIPELOCK_E2E_STAGE=$stage scripts/test.sh)
  fi
  echo "==> provision [server] done: pipelock.service active in transparent $MODE mode${INTERFACE:+ on $INTERFACE}"
}

# Microsoft's package repository rather than dotnet-install.sh: packages checked against Microsoft's apt key, security
# fixes through 'apt-get upgrade', one dpkg-owned install that 'apt-get install' re-runs idempotently (dotnet-install.sh
# downloads a script and a tarball outside apt, with no update path). Debian 12 is supported for .NET 10 there.
install_sdk() {
  if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    info "present: $(dotnet --list-sdks | grep '^10\.' | tail -n1)"
    return
  fi
  if ! dpkg -s packages-microsoft-prod >/dev/null 2>&1; then
    local deb version=${VERSION_ID:-12}
    deb=$(mktemp --suffix=.deb)
    info "adding packages.microsoft.com for debian/$version"
    curl -fsSL --retry 3 -o "$deb" "https://packages.microsoft.com/config/debian/$version/packages-microsoft-prod.deb"
    dpkg -i "$deb"
    rm -f "$deb"
  fi
  apt-get update -qq
  apt-get install -y -qq dotnet-sdk-10.0
  info "installed: $(dotnet --list-sdks | grep '^10\.' | tail -n1)"
}

# Gateway mode: forward what clients send, masquerade what Pipelock does not capture (DNS elsewhere, other ports) out
# of the other interfaces, and serve the public CA certificate to clients. Persisted as units so a reboot keeps it.
configure_gateway() {
  local subnet
  # serve-ca.sh below sends this file (install.sh copies the CA's public half there).
  [ -r "$PUBLIC_CA" ] || die "$PUBLIC_CA is missing: scripts/install.sh should have put the public CA certificate there"
  subnet=$(ip -o -4 route show dev "$INTERFACE" proto kernel scope link | awk '{print $1; exit}')
  [ -n "$subnet" ] || die "no IPv4 subnet on $INTERFACE"
  write_if_changed /etc/sysctl.d/60-pipelock-gateway.conf <<'EOF' || true
# Pipelock gateway (provision.sh): forward the private network's traffic.
net.ipv4.ip_forward = 1
EOF
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 1 ]; then
    sysctl -q -p /etc/sysctl.d/60-pipelock-gateway.conf ||
      die "cannot turn on net.ipv4.ip_forward (read-only /proc/sys, e.g. in a container: set it from outside)"
  fi

  write_if_changed /etc/pipelock-provision/gateway-nat.nft <<EOF || true
# Pipelock gateway (provision.sh): clients on $subnet reach the rest of the world through this host. TCP 80/443 is
# TPROXYed to Pipelock before it gets here (table inet pipelock); everything else is masqueraded.
table ip pipelock_gateway_nat
delete table ip pipelock_gateway_nat
table ip pipelock_gateway_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $subnet oifname != "$INTERFACE" masquerade
  }
}
EOF
  write_if_changed /etc/systemd/system/pipelock-gateway-nat.service <<'EOF' || true
[Unit]
Description=Pipelock gateway (provision.sh): masquerade client traffic that Pipelock does not capture
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f /etc/pipelock-provision/gateway-nat.nft
ExecStop=/usr/sbin/nft delete table ip pipelock_gateway_nat

[Install]
WantedBy=multi-user.target
EOF

  # One short-lived process per connection (Accept=yes) prints the public certificate; it reads the request head
  # first, so closing the socket never resets a request still being sent.
  write_if_changed /etc/systemd/system/pipelock-ca-http.socket <<EOF || true
[Unit]
Description=Pipelock gateway (provision.sh): the interception CA certificate for clients, http://$SERVER_IP:$CA_PORT/ca.pem

[Socket]
ListenStream=$SERVER_IP:$CA_PORT
FreeBind=yes
Accept=yes

[Install]
WantedBy=sockets.target
EOF
  write_if_changed /etc/pipelock-provision/serve-ca.sh <<'EOF' || true
#!/bin/bash
# Pipelock gateway (provision.sh): answers one HTTP request on stdin/stdout with the public CA certificate.
while IFS= read -r -t 5 line && [ -n "${line%$'\r'}" ]; do :; done
printf 'HTTP/1.0 200 OK\r\nContent-Type: application/x-pem-file\r\nConnection: close\r\n\r\n'
cat /usr/local/share/pipelock/ca.pem
EOF
  write_if_changed /etc/systemd/system/pipelock-ca-http@.service <<'EOF' || true
[Unit]
Description=Pipelock gateway (provision.sh): send the public CA certificate

[Service]
StandardInput=socket
StandardOutput=socket
StandardError=journal
DynamicUser=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes
RuntimeMaxSec=10s
ExecStart=/bin/bash /etc/pipelock-provision/serve-ca.sh
EOF
  systemctl daemon-reload
  systemctl enable --quiet pipelock-gateway-nat.service pipelock-ca-http.socket
  systemctl restart pipelock-gateway-nat.service
  systemctl restart pipelock-ca-http.socket
  info "forwarding on, masquerade for $subnet leaving other interfaces, CA at http://$SERVER_IP:$CA_PORT/ca.pem"
}

unconfigure_gateway() {
  local unit changed=0
  for unit in pipelock-gateway-nat.service pipelock-ca-http.socket; do
    if [ -f "/etc/systemd/system/$unit" ]; then
      systemctl disable --now --quiet "$unit" || true
      rm -f "/etc/systemd/system/$unit"
      changed=1
    fi
  done
  rm -f /etc/systemd/system/pipelock-ca-http@.service /etc/pipelock-provision/gateway-nat.nft /etc/pipelock-provision/serve-ca.sh
  if [ -f /etc/sysctl.d/60-pipelock-gateway.conf ]; then
    rm -f /etc/sysctl.d/60-pipelock-gateway.conf
    # The running value stays: other routing on this machine (Docker, libvirt) may rely on it; a reboot applies
    # the remaining sysctl.d files.
    info "net.ipv4.ip_forward left as it is ($(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || echo unknown)); its provision.sh setting file is gone"
    changed=1
  fi
  if [ "$changed" -eq 0 ]; then info "not needed in local mode"; else info "removed the gateway-mode forwarding, NAT and CA units"; fi
}

# --------------------------------------------------------------------------------------------------------- client

client_main() {
  [ -n "$SERVER_IP" ] || die "the client role needs --server-ip (the Pipelock gateway's address)"

  step "apt packages"
  apt_ensure "${APT_CLIENT[@]}"

  step "trust the Pipelock CA of $SERVER_IP"
  local pem subject
  pem=$(mktemp)
  curl -fsS --retry 10 --retry-delay 3 --retry-connrefused --max-time 10 -o "$pem" "http://$SERVER_IP:$CA_PORT/ca.pem" ||
    die "could not fetch http://$SERVER_IP:$CA_PORT/ca.pem: is the server provisioned in gateway mode? (vagrant provision pipelock --provision-with gateway)"
  # Ruby's OpenSSL reads it (ruby is here for the smoke check anyway): subject and SHA-256 fingerprint, to compare with
  # the server's 'pipelock ca show'.
  subject=$(ruby -ropenssl -e 'c = OpenSSL::X509::Certificate.new(File.read(ARGV[0]))
    puts "#{c.subject}, SHA-256 #{OpenSSL::Digest::SHA256.hexdigest(c.to_der).scan(/../).join(":").upcase}"' "$pem") ||
    die "what $SERVER_IP:$CA_PORT served is not a PEM certificate"
  case "$subject" in *O=Pipelock*) ;; *) die "the served certificate is not a Pipelock CA ($subject)" ;; esac
  info "$subject"
  if write_if_changed "$CLIENT_CA" <"$pem"; then update-ca-certificates; else info "already trusted"; fi
  rm -f "$pem"

  step "route through $SERVER_IP"
  # A unit, so the route survives a reboot. Vagrant's own SSH and DNS stay on the first interface: the host and the
  # provider's resolver sit on that interface's connected subnet, which a default route does not override.
  if write_if_changed /etc/systemd/system/pipelock-gateway-route.service <<EOF
[Unit]
Description=Pipelock client (provision.sh): default route via the Pipelock gateway $SERVER_IP
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/ip route replace default via $SERVER_IP

[Install]
WantedBy=multi-user.target
EOF
  then systemctl daemon-reload; fi
  systemctl enable --quiet pipelock-gateway-route.service
  systemctl restart pipelock-gateway-route.service
  info "$(ip route show default)"

  step "smoke check through the gateway"
  smoke_check
  echo "==> provision [client] done: traffic routed through Pipelock at $SERVER_IP"
}

# ----------------------------------------------------------------------------------------------------------- main

if [ "$ROLE" = server ]; then
  # Vagrant uploads this script to /tmp, so inside the VM the Vagrantfile names the source (/vagrant).
  if [ -z "$SOURCE" ]; then SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); fi
  [ -d "$SOURCE" ] || die "--source $SOURCE is not a directory"
  SOURCE=$(cd "$SOURCE" && pwd)
  server_main
else
  client_main
fi
