# SPDX-License-Identifier: BSD-3-Clause
# knot_primary.sh: sourced by the tests whose Knot primary serves zone files written by
# hand to one sandnsd: its configuration, and the checks of what a server answers for www.ZONE.
# Needs TMP, KPORT (Knot's port), PORT (sandnsd's: Knot's NOTIFYs go there), KNOTC.

# knot_conf ZONE...: $TMP/knot.conf, Knot serving ZONE... from $TMP/zones (each file ZONEzone),
# transfers to loopback, NOTIFY to sandnsd (none with KNOT_NOTIFY=no: a test that counts the
# transfers its restarts make), no journal (each file read whole when it changes). A second Knot
# beside it: KNOT_NAME (its files: $TMP/NAME.conf, $TMP/NAME/, $TMP/NAME.log; knotc follows it),
# KNOT_ADDR (its address, also its NOTIFYs' source), KNOT_ZONES (its zone files' directory).
knot_conf() {
	local notify="    notify: sandns" name=${KNOT_NAME:-knot} addr=${KNOT_ADDR:-127.0.0.1}

	[ "${KNOT_NOTIFY:-yes}" = no ] && notify="    # no NOTIFY"
	cat >"$TMP/$name.conf" <<CONF
server:
    rundir: "$TMP/$name"
    listen: $addr@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/$name"
log:
  - target: "$TMP/$name.log"
    any: info
remote:
  - id: sandns
    address: 127.0.0.1@$PORT
    via: $addr
acl:
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    acl: xfr
$notify
    storage: "$TMP/${KNOT_ZONES:-zones}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
CONF
	for z in "$@"; do printf '  - domain: %s\n' "$z" >>"$TMP/$name.conf"; done
}
knotc() { "$KNOTC" -c "$TMP/${KNOT_NAME:-knot}.conf" -t 5 "$@"; }

# kq PORT ARG...: kdig at 127.0.0.1@PORT (KQ_ADDR@PORT), bounded.
kq() { timeout 10 kdig @"${KQ_ADDR:-127.0.0.1}" -p "$1" +time=2 +retry=1 "${@:2}" 2>/dev/null; }
# www_of PORT ZONE: the address www.ZONE answers there.
www_of() { kq "$1" +short "www.$2" A; }
# at PORT ZONE ADDRESS SECONDS: www.ZONE answers ADDRESS there within SECONDS.
at() {
	for _ in $(seq 1 $(($4 * 10))); do
		[ "$(www_of "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	echo "     www.$2 at port $1: '$(www_of "$1" "$2")', not $3"
	return 1
}
