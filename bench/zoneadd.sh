#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# zoneadd.sh: a small zone added beside a large one, two ways, with two builds side by side. The
# server B serves example.com (HOSTS one-A-record names, genzone.sh; keep-zones KEEP_ZONES, yes
# unless set: `auto`, the default, keeps no zone above 250,000 records) and consumes the catalog
# pcat.test. that a second sandnsd, A, produces (NOTIFY to B). Per run and build:
#   catalog  a zone line added to A's configuration and `sandnsctl reload` on A: A's catalog gets
#            the member, B transfers the catalog, then the member (its first refresh is at once);
#            the time from the reload on A until B answers the member's www A;
#   config   a zone line added to B's own configuration and `sandnsctl reload` on B (which reads
#            every zone file again, the large one too, in builds before whole reloads kept the zones
#            whose files are unchanged); the time until B answers it;
#   reload   `sandnsctl reload` on B with nothing changed (after the cases before it): the time
#            until the command returns (the reload published);
#   cert     B starts with a certificate that covers autodiscover.example.com (no edits) and two
#            small zones beside the large one; the file is replaced by the sample certificate
#            (which does not) and `sandnsctl policy reload` run on B: the time until B withholds
#            autodiscover.example.com's address (the SRV made). Not with CERT.
#   certname B starts with the sample certificate (autodiscover.example.com withheld, the SRV
#            made); the file is replaced by a certificate with the sample's names and one the
#            large zone lacks first (newhost.example.com: the policy weighs the names in the
#            certificate's order as SRV targets, so it asks of it before mail.example.com), and
#            `sandnsctl policy reload` run on B: the time until the command returns (the reload
#            published), autodiscover still withheld; "read" when B's log says it read the large
#            zone for the policy, else "unread". Not with CERT, nor with cert.
# For each, B's peak resident memory over that time (VmHWM, reset before through clear_refs),
# its resident memory before, and whether B's log says the snapshot was patched or compiled whole.
# BUILDS ("BASE_BUILD BUILD": the base's build directory, then this tree's) alternate run by run,
# RUNS (3) times; medians and min..max printed per build. CASES ("catalog config") the cases run
# (without catalog, B consumes none and A is not started). HOSTS (1000000), KEEP=1 keeps the
# logs. CERT: a certificate file B is configured with (`cert`: the autodiscover policy on; "sample":
# zones/sample/mail.example.com.pem, which does not cover autodiscover.example.com, so the policy
# withholds it in the large zone); each run then checks that B still withholds it after the case.
# Holds /tmp/sandns-bench.lock while it measures. Loopback only; ends only the servers it started,
# by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BASE_BUILD=${BASE_BUILD:?BASE_BUILD: the build directory of the base to compare with}
HOSTS=${HOSTS:-1000000}
KEEP_ZONES=${KEEP_ZONES:-yes}
CASES=${CASES:-catalog config}
RUNS=${RUNS:-3}
KDIG=${KDIG:-kdig}
CERT=${CERT:-}
[ "$CERT" = sample ] && CERT=$ROOT/zones/sample/mail.example.com.pem
SAMPLE_CERT=$ROOT/zones/sample/mail.example.com.pem

# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=genzone.sh
. "$HERE/genzone.sh"

die() { echo "zoneadd: $*" >&2; exit 1; }
command -v "$KDIG" >/dev/null || die "kdig is needed"
case " $CASES " in *" cert "* | *" certname "*)
	[ -z "$CERT" ] || die "the cert cases make their own certificates: CERT unset"
	case " $CASES " in *" cert "*" certname "* | *" certname "*" cert "*)
		die "cert and certname start from other certificates: one at a time" ;;
	esac
	command -v openssl >/dev/null || die "openssl is needed for the cert case"
	;;
esac
bench_tmpdir zoneadd 30
APID=

stop_all() {
	[ -n "$PID" ] && stop_pid "$PID" 30 "zoneadd: sandnsd B" >/dev/null 2>&1
	[ -n "$APID" ] && stop_pid "$APID" 10 "zoneadd: sandnsd A" >/dev/null 2>&1
	PID=
	APID=
}
trap 'stop_all; bench_cleanup' EXIT

gen_mail_zone "$HOSTS" 1 >"$TMP/example.com.zone"
small_zone() { # small_zone ORIGIN ADDRESS: a zone of a few records, www at ADDRESS
	printf '$ORIGIN %s\n$TTL 300\n@ IN SOA ns1 h 1 3600 900 604800 300\n@ IN NS ns1\n' "$1"
	printf 'ns1 IN A 192.0.2.1\nwww IN A %s\nmail IN A 192.0.2.3\n' "$2"
}
small_zone m0.test. 192.0.2.10 >"$TMP/m0.test.zone"
small_zone new.test. 192.0.2.20 >"$TMP/new.test.zone"
small_zone cfg.test. 192.0.2.30 >"$TMP/cfg.test.zone"
# Written well before B reads them, as on a server: a file modified within a second before its
# reading is read again at every reload (its time could hide a change made in the same tick).
touch -d '-1 minute' "$TMP"/*.zone
case " $CASES " in *" cert "* | *" certname "*)
	# The certificate B starts with: the sample's names and autodiscover's (self-signed, as the
	# sample is: the policy reads the names and the validity period).
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/O=Example Corp/CN=mail.example.com" -keyout "$TMP/cover.key" -out "$TMP/cover.pem" \
		-addext "subjectAltName=DNS:mail.example.com,DNS:owa.example.com,DNS:example.com,DNS:autodiscover.example.com" \
		>/dev/null 2>&1 || die "openssl could not make the covering certificate"
	;;
esac
case " $CASES " in *" certname "*)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/O=Example Corp/CN=mail.example.com" -keyout "$TMP/newname.key" -out "$TMP/newname.pem" \
		-addext "subjectAltName=DNS:newhost.example.com,DNS:mail.example.com,DNS:owa.example.com,DNS:example.com" \
		>/dev/null 2>&1 || die "openssl could not make the certificate with a new name"
	;;
esac

now_ms() { date +%s%3N; }
# answered_within NAME ADDRESS SECONDS: B answers www.NAME A with ADDRESS within SECONDS
answered_within() {
	local end=$(($(now_ms) + $3 * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		[ "$("$KDIG" @127.0.0.1 -p "$BPORT" +short +time=1 +retry=0 "www.$1" A 2>/dev/null)" = "$2" ] &&
			return 0
		sleep 0.01
	done
	return 1
}
# withheld: the policy's edits of the large zone served (autodiscover A NODATA, the SRV made)
withheld() {
	local a srv
	a=$("$KDIG" @127.0.0.1 -p "$BPORT" +short +time=2 +retry=1 autodiscover.example.com A 2>/dev/null)
	srv=$("$KDIG" @127.0.0.1 -p "$BPORT" +short +time=2 +retry=1 _autodiscover._tcp.example.com SRV 2>/dev/null)
	[ -z "$a" ] && [ -n "$srv" ]
}
last_made() { # last_made LOG: how the last snapshot was made
	if grep "on request, " "$1" | tail -n 1 | grep -q "full compile"; then echo whole; else echo patched; fi
}
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$PID/status"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
how_made() { # how_made LOG ORIGIN: how the snapshot that brought ORIGIN in was made
	if grep -q "snapshot patched: zone $2 added" "$1"; then echo patched; else echo whole; fi
}

# run_one BUILD_DIR LABEL N: one run of both cases; appends "LABEL CASE MS PEAK_MB BEFORE_MB HOW"
run_one() {
	local bdir=$1 label=$2 n=$3 d="$TMP/$2.$3" t0 t1 before how end reads
	mkdir -p "$d"
	APORT=$(pick_port $((20000 + ($$ + n * 97) % 12000))) || die "no free port"
	BPORT=$(pick_port $((20000 + ($$ + n * 97 + 53) % 12000)) "$APORT") || die "no free port"
	a_conf() {
		{
			echo "listen 127.0.0.1@$APORT"
			echo "control $d/a.sock"
			echo "state-dir $d/a.state"
			echo "allow-transfer 127.0.0.0/8"
			echo "zone pcat.test. made-by-sandns.zone"
			echo "catalog pcat.test. producer"
			echo "notify pcat.test. 127.0.0.1@$BPORT"
			for z in "$@"; do echo "zone $z $TMP/${z}zone"; done
		} >"$d/a.conf"
	}
	a_conf m0.test.
	mkdir -p "$d/b.state/sec"
	cat >"$d/b.conf" <<CONF
listen 127.0.0.1@$BPORT
control $d/b.sock
state-dir $d/b.state
keep-zones $KEEP_ZONES
allow-notify 127.0.0.1
zone example.com. $TMP/example.com.zone
CONF
	[ -n "$CERT" ] && echo "cert $CERT" >>"$d/b.conf"
	case " $CASES " in *" cert "* | *" certname "*)
		cp "$TMP/cover.pem" "$d/leaf.pem"
		case " $CASES " in *" certname "*) cp "$SAMPLE_CERT" "$d/leaf.pem" ;; esac
		touch -d '-1 minute' "$d/leaf.pem"
		{
			echo "cert $d/leaf.pem"
			echo "zone m0.test. $TMP/m0.test.zone"
			echo "zone new.test. $TMP/new.test.zone"
		} >>"$d/b.conf"
		;;
	esac
	case " $CASES " in *" catalog "*)
		cat >>"$d/b.conf" <<CONF
zone pcat.test. $d/b.state/sec/pcat.test.zone
primary pcat.test. 127.0.0.1@$APORT
catalog pcat.test. consumer
CONF
		"$bdir/control/sandnsd" --foreground --io socket --config "$d/a.conf" >"$d/a.log" 2>&1 &
		APID=$!
		wait_serving "$d/a.log" "$APID" || die "$label: sandnsd A did not start: $(tail -3 "$d/a.log")"
		;;
	esac
	"$bdir/control/sandnsd" --foreground --io socket --config "$d/b.conf" >"$d/b.log" 2>&1 &
	PID=$!
	wait_serving "$d/b.log" "$PID" 180 || die "$label: sandnsd B did not start: $(tail -3 "$d/b.log")"
	sleep 2 # B's work after its first snapshot settled (the transfer order, the zones freed)
	case " $CASES " in *" catalog "*)
		answered_within m0.test. 192.0.2.10 60 || die "$label: B does not serve the first member"
		sleep 2 # the first transfers' reloads settled
		# The catalog: a member added on A.
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		a_conf m0.test. new.test.
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/a.sock" reload >/dev/null ||
			die "$label: reload on A failed"
		answered_within new.test. 192.0.2.20 120 || die "$label: B did not answer the new member"
		t1=$(now_ms)
		sleep 1
		echo "$label catalog $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $(how_made "$d/b.log" new.test.)" >>"$TMP/results"
		;;
	esac
	case " $CASES " in *" config "*)
		# The configuration: a zone line added to B's.
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		echo "zone cfg.test. $TMP/cfg.test.zone" >>"$d/b.conf"
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/b.sock" reload >/dev/null ||
			die "$label: reload on B failed"
		answered_within cfg.test. 192.0.2.30 120 || die "$label: B did not answer the new zone"
		t1=$(now_ms)
		[ -z "$CERT" ] || withheld || die "$label: autodiscover.example.com is no longer withheld"
		echo "$label config $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $(how_made "$d/b.log" cfg.test.)" >>"$TMP/results"
		;;
	esac
	case " $CASES " in *" reload "*)
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/b.sock" reload >/dev/null ||
			die "$label: reload on B failed"
		t1=$(now_ms)
		[ -z "$CERT" ] || withheld || die "$label: autodiscover.example.com is no longer withheld"
		echo "$label reload $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $(last_made "$d/b.log")" >>"$TMP/results"
		;;
	esac
	case " $CASES " in *" certname "*)
		# A name the large zone lacks added to the certificate: the edits the same.
		withheld || die "$label: autodiscover.example.com not withheld before the cert changed"
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		cp "$TMP/newname.pem" "$d/leaf.pem"
		reads=$(grep -c "example.com.*asks of it what it did not" "$d/b.log" || true)
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/b.sock" policy reload >/dev/null ||
			die "$label: policy reload on B failed"
		t1=$(now_ms)
		withheld || die "$label: autodiscover.example.com no longer withheld after a name was added"
		how=unread
		[ "$(grep -c "example.com.*asks of it what it did not" "$d/b.log" || true)" = "$reads" ] ||
			how=read
		echo "$label certname $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $how" >>"$TMP/results"
		;;
	esac
	case " $CASES " in *" cert "*)
		# The certificate changed: autodiscover.example.com no longer covered.
		! withheld || die "$label: autodiscover.example.com withheld before the cert changed"
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		cp "$SAMPLE_CERT" "$d/leaf.pem"
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/b.sock" policy reload >/dev/null ||
			die "$label: policy reload on B failed"
		end=$(($(now_ms) + 120000))
		until withheld; do
			[ "$(now_ms)" -lt "$end" ] || die "$label: autodiscover.example.com not withheld"
			sleep 0.01
		done
		t1=$(now_ms)
		how=whole
		grep -q "snapshot patched: zone example.com.: the autodiscover policy's edits changed" \
			"$d/b.log" && how=patched
		echo "$label cert $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $how" >>"$TMP/results"
		;;
	esac
	stop_all
}

exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
flock 9
: >"$TMP/results"
for n in $(seq 1 "$RUNS"); do
	run_one "$BASE_BUILD" base "$n"
	run_one "$BUILD" new "$n"
done
flock -u 9
echo "zoneadd: $HOSTS records in example.com. (keep-zones $KEEP_ZONES${CERT:+, cert $CERT}), $RUNS runs per build (ms until answered; MB)"
printf '%-6s %-8s %-22s %-22s %-22s %s\n' build case "ms median (min..max)" "peak RSS MB" \
	"RSS before MB" "snapshot"
for b in base new; do
	for c in $CASES; do
		ms=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $3 }' "$TMP/results" | stats)
		pk=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $4 }' "$TMP/results" | stats)
		bf=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $5 }' "$TMP/results" | stats)
		how=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $6 }' "$TMP/results" | sort | uniq -c |
			awk '{ s = s (NR > 1 ? ", " : "") $2 " x" $1 } END { print s }')
		read -r m1 m2 m3 <<<"$ms"
		read -r p1 p2 p3 <<<"$pk"
		read -r f1 f2 f3 <<<"$bf"
		printf '%-6s %-8s %-22s %-22s %-22s %s\n' "$b" "$c" "$m1 ($m2..$m3)" "$p1 ($p2..$p3)" \
			"$f1 ($f2..$f3)" "$how"
	done
done
