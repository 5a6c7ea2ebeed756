#!/usr/bin/env bash
# Removes what scripts/install.sh installed (run as root):
#
#   sudo scripts/uninstall.sh [--purge]
#
# Stops and disables the service, lifts the transparent redirect rules (in fail_mode closed they outlive the service,
# so stopping alone would leave captured traffic failing), takes the CA out of the system trust store if
# 'pipelock ca install' put it there, and deletes /opt/pipelock, the unit, sysusers and tmpfiles files and
# /usr/local/share/pipelock. The config (/etc/pipelock), the CA and state (/var/lib/pipelock) and the pipelock user
# stay, so a re-install picks them up and clients keep trusting the same CA; --purge deletes those too.
set -euo pipefail

PREFIX=/opt/pipelock
UNIT=/etc/systemd/system/pipelock.service
SYSUSERS=/etc/sysusers.d/pipelock.conf
TMPFILES=/etc/tmpfiles.d/pipelock.conf
PUBLIC_DIR=/usr/local/share/pipelock
TRUSTED=/usr/local/share/ca-certificates/pipelock-ca.crt

purge=0
case "${1:-}" in
  "") ;;
  --purge) purge=1 ;;
  -h|--help) echo "usage: scripts/uninstall.sh [--purge]   (--purge also deletes /etc/pipelock, /var/lib/pipelock and the pipelock user)"; exit 0 ;;
  *) echo "error: unknown option '$1' (usage: scripts/uninstall.sh [--purge])" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (sudo scripts/uninstall.sh)" >&2; exit 1; }

step() { printf '==> %s\n' "$*"; }
systemd_running=0
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemd_running=1; fi

if [ "$systemd_running" -eq 1 ]; then
  step "stopping and disabling pipelock.service"
  systemctl disable --now pipelock.service >/dev/null 2>&1 || true
  systemctl reset-failed pipelock.service >/dev/null 2>&1 || true
fi

step "removing the transparent redirect rules"
# Exit 0 also when none are installed. Without the program (a half-finished earlier run) the same objects go by
# name: closed-mode rules left behind would keep ports 80/443 captured with nothing listening.
if [ -x "$PREFIX/pipelock" ] && "$PREFIX/pipelock" rules remove; then
  :
else
  [ -x "$PREFIX/pipelock" ] && echo "warning: 'pipelock rules remove' failed; removing the rules by name" >&2
  if command -v nft >/dev/null 2>&1; then
    nft delete table inet pipelock 2>/dev/null || true
  fi
  for tool in iptables ip6tables; do
    command -v "$tool" >/dev/null 2>&1 || continue
    for table in nat mangle filter; do
      for hook in PREROUTING OUTPUT INPUT FORWARD; do
        while "$tool" -w -t "$table" -D "$hook" -j PIPELOCK 2>/dev/null; do :; done
      done
      for chain in PIPELOCK PIPELOCK_CAPTURE PIPELOCK_DIVERT; do
        "$tool" -w -t "$table" -F "$chain" 2>/dev/null || true
        "$tool" -w -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  if command -v ip >/dev/null 2>&1; then
    for family in -4 -6; do
      while ip "$family" rule del fwmark 0x504a lookup 5049 2>/dev/null; do :; done
      ip "$family" route flush table 5049 2>/dev/null || true
    done
  fi
fi

if [ -e "$TRUSTED" ]; then
  step "removing the CA from the system trust store"
  rm -f "$TRUSTED"
  if command -v update-ca-certificates >/dev/null 2>&1; then update-ca-certificates --fresh >/dev/null 2>&1 || true; fi
fi

step "deleting $PREFIX, the unit, sysusers and tmpfiles files"
rm -rf "$PREFIX" "$PREFIX.new" "$PREFIX.old" "$PUBLIC_DIR"
rm -f "$UNIT" "$SYSUSERS" "$TMPFILES"
rm -rf /etc/systemd/system/pipelock.service.d
if [ "$systemd_running" -eq 1 ]; then systemctl daemon-reload; fi

if [ "$purge" -eq 1 ]; then
  step "purging /etc/pipelock, /var/lib/pipelock and the pipelock user"
  rm -rf /etc/pipelock /var/lib/pipelock
  if id -u pipelock >/dev/null 2>&1; then userdel pipelock 2>/dev/null || true; fi
  if getent group pipelock >/dev/null 2>&1; then groupdel pipelock 2>/dev/null || true; fi
  echo "Pipelock is removed, with its config, CA and user."
else
  echo "Pipelock is removed. Kept: /etc/pipelock (config), /var/lib/pipelock (CA, state) and the pipelock user; 'scripts/uninstall.sh --purge' deletes them."
fi
