#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test.sh: installs what is missing (Debian 12, as root), builds sandns and runs the whole test
# suite twice: a normal build in build/ and an AddressSanitizer + UndefinedBehaviorSanitizer
# build in build-asan/; then builds everything again with clang in build-fuzz/ (-Dfuzz=true,
# ASan + UBSan, -Werror as always) and runs each libFuzzer target for a short bounded time.
# Exits non-zero when anything fails to build or any test fails.
#
#   bash scripts/test.sh
#
# The suite (tests/meson.build): the CUnit unit tests (sandns-tests) and the end-to-end tests in
# tests/e2e/: smoke.sh, policy.sh, abuse.sh (malformed UDP, TCP abuse), ctl_abuse.sh (the
# control socket, broken reloads, 1000 reloads), dpdk.sh (namespaces) and the differential test
# against Knot DNS (diff_knot.sh). Only loopback traffic and namespaces the tests make.
# Each stage prints its seconds; every test has a meson timeout.
#
# The fuzzing stage (tests/fuzz/, `meson test -C build-fuzz --suite fuzz`): fuzz-answer (DNS
# queries into the answer engine), fuzz-pkt (Ethernet frames into the packet layer), fuzz-zload
# (zone text into the loader), fuzz-ctl (control socket lines), fuzz-cert (certificate files),
# fuzz-tsig (signed messages into TSIG verification), fuzz-xfrin (a primary's transfer messages
# into the secondary's reader), each for 45 s (FUZZ_SECONDS=N changes it; under CI=true 60 s) on its
# seed corpus in tests/fuzz/corpus/, which is only read. Each prints its runs, exec/s, cov:, ft: and corpus size; a crash, a sanitizer report
# (leaks too), a broken invariant or an input slower than 10 s fails it, and the reproducer is
# kept in build-fuzz/tests/fuzz/artifacts/. Two targets run at a time on 2 cores.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-$(nproc)}

bash scripts/deps.sh

# Sanitizer reports are failures. LeakSanitizer stops the process with ptrace to scan it; as
# root on Debian 12 (also in a container with CAP_SYS_PTRACE) it works, so leaks fail the ASan
# run too, including sandnsd's at exit (smoke.sh checks its exit status).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

# setup DIR [meson options]: configures DIR, or reconfigures it so that test sources added
# since the last run are seen (tests/meson.build lists them with fs.exists()).
setup() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@"
	fi
}

failed=()
t0=$(date +%s)

echo "=== build/: normal build and tests"
if setup build && meson compile -C build -j "$JOBS" &&
	meson test -C build --print-errorlogs; then
	:
else
	failed+=("build/")
fi
echo "=== build/: $(( $(date +%s) - t0 )) s"

echo "=== build-asan/: AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
ta=$(date +%s)
# b_lundef=false: the sanitizer runtimes resolve some symbols only at run time.
if setup build-asan -Db_sanitize=address,undefined -Db_lundef=false &&
	meson compile -C build-asan -j "$JOBS" &&
	meson test -C build-asan --print-errorlogs --timeout-multiplier 2; then
	:
else
	failed+=("build-asan/")
fi
echo "=== build-asan/: $(( $(date +%s) - ta )) s"

echo "=== build-fuzz/: clang build and the libFuzzer targets, a short run each"
# clang's libFuzzer with ASan and UBSan; the whole tree is built (clang's warnings are errors
# too), only the fuzz suite runs: the others ran above.
t1=$(date +%s)
rm -f build-fuzz/meson-logs/testlog.txt
# CI's machine gives the fuzzers a little longer, within the suite's half hour (seven targets,
# two at a time: about four minutes of fuzzing).
if [ "${CI:-}" = true ] && [ -z "${FUZZ_SECONDS:-}" ]; then
	export FUZZ_SECONDS=60
fi
if CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false &&
	meson compile -C build-fuzz -j "$JOBS" &&
	meson test -C build-fuzz --suite fuzz --print-errorlogs --timeout-multiplier 3; then
	:
else
	failed+=("build-fuzz/")
fi
# Each target's line from run.sh: runs, exec/s, coverage, corpus.
grep -hE '^fuzz-[a-z]+: ' build-fuzz/meson-logs/testlog.txt 2>/dev/null || true
echo "=== build-fuzz/: $(( $(date +%s) - t1 )) s"

echo "=== test.sh: $(( $(date +%s) - t0 )) s"
if [ ${#failed[@]} -ne 0 ]; then
	echo "test.sh: FAILED in ${failed[*]} (see the errors above, and */meson-logs/testlog.txt)"
	exit 1
fi
echo "test.sh: all passed (build/, build-asan/ and build-fuzz/)"
