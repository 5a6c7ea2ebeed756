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

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  step "stopping and disabling pipelock.service"
  systemctl disable --now pipelock.service >/dev/null 2>&1 || true
  systemctl reset-failed pipelock.service >/dev/null 2>&1 || true
fi

if [ -x "$PREFIX/pipelock" ]; then
  step "removing the transparent redirect rules"
  # Exit 0 also when none are installed; a failure here is reported, and the rest still goes.
  "$PREFIX/pipelock" rules remove || echo "warning: 'pipelock rules remove' failed; check 'nft list tables' for a pipelock table" >&2
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
command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && systemctl daemon-reload

if [ "$purge" -eq 1 ]; then
  step "purging /etc/pipelock, /var/lib/pipelock and the pipelock user"
  rm -rf /etc/pipelock /var/lib/pipelock
  if id -u pipelock >/dev/null 2>&1; then userdel pipelock 2>/dev/null || true; fi
  if getent group pipelock >/dev/null 2>&1; then groupdel pipelock 2>/dev/null || true; fi
  echo "Pipelock is removed, with its config, CA and user."
else
  echo "Pipelock is removed. Kept: /etc/pipelock (config), /var/lib/pipelock (CA, state) and the pipelock user; 'scripts/uninstall.sh --purge' deletes them."
fi
