#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# deps.sh: installs what sandns needs to build and test, from Debian 12 (bookworm), when missing.
#
# Run as root on Debian 12. Does nothing (and needs no network) when everything is installed;
# otherwise one `apt-get update` and one non-interactive `apt-get install` of the missing packages.
set -euo pipefail

BUILD_PKGS=(gcc meson ninja-build pkg-config libldns-dev liburcu-dev libssl-dev libcunit1-dev
	libdpdk-dev dpdk libfstrm-dev libprotobuf-c-dev protobuf-c-compiler
	golang-github-dnstap-golang-dnstap-dev libsystemd-dev libmicrohttpd-dev)
# man-db (man -l) and systemd (systemd-analyze verify): the service test checks what
# `meson install` puts in place with them.
TEST_PKGS=(knot knot-dnsutils python3 python3-dnspython iproute2 openssl dnsperf iputils-ping
	ethtool nsd python3-exchangelib dnstap-ldns fstrm-bin ldnsutils unbound man-db systemd
	python3-prometheus-client knot-dnssecutils bind9 bind9-dnsutils)
# The libFuzzer targets (tests/fuzz/, build-fuzz/): clang 14; its sanitizer and libFuzzer
# runtimes (libclang_rt.fuzzer, .asan, .ubsan), which clang-14 only recommends; llvm-14 for
# llvm-symbolizer, which turns the addresses of a crash report into file:line.
FUZZ_PKGS=(clang libclang-rt-14-dev llvm-14)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${FUZZ_PKGS[@]}"; do
	# "install ok installed" only; half-installed or removed (config-files) counts as missing
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#BUILD_PKGS[@]} build, ${#TEST_PKGS[@]} test and ${#FUZZ_PKGS[@]} fuzzing" \
		"packages are installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run this script as root (Debian 12)" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# knot's and bind9's packages enable and start a system server on port 53; our tests start their
# own on loopback ports, so the system ones are left as the packages set them up.
echo "deps: done"
