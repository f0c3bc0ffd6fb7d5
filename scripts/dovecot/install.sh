#!/bin/sh
# Install Debian's dovecot IMAP/POP3 server for the inbound-email integration tests
# (tests/integration/test_imap_fetch.py runs it as a private instance from its own
# config, see scripts/dovecot/dovecot.conf.template; the system service is not used).
#
# Idempotent: does nothing when /usr/sbin/dovecot is already there. Needs root and
# apt-get; otherwise it says why and exits 0, and the tests skip with that reason.
set -eu

if [ -x /usr/sbin/dovecot ]; then
    echo "dovecot: already installed ($(/usr/sbin/dovecot --version 2>/dev/null || echo '?'))"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "dovecot: not installed and not root: install dovecot-imapd and dovecot-pop3d yourself" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "dovecot: not installed and no apt-get on this machine" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# The package's postinst would start the system service; a private instance is all the
# tests need, so policy-rc.d stops the service from being started (and is removed after).
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
fi
status=0
apt-get update -qq || true
apt-get install -y -qq --no-install-recommends dovecot-imapd dovecot-pop3d || status=$?
if [ "$created_policy" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
fi
if [ "$status" != 0 ]; then
    echo "dovecot: apt-get install failed ($status)" >&2
    exit 0
fi
echo "dovecot: installed ($(/usr/sbin/dovecot --version))"
