#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test.sh: installs what is missing (Debian 12, as root), builds sandns and runs the whole test
# suite twice: a normal build in build/ and an AddressSanitizer + UndefinedBehaviorSanitizer
# build in build-asan/. Exits non-zero when anything fails to build or any test fails.
#
#   bash scripts/test.sh
#
# The suite (tests/meson.build): the CUnit unit tests (sandns-tests), tests/e2e/smoke.sh and the
# differential test against Knot DNS (tests/e2e/diff_knot.sh). Only loopback traffic.
# About 5 minutes on 2 cores; every test has a meson timeout.
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

echo "=== build-asan/: AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
# b_lundef=false: the sanitizer runtimes resolve some symbols only at run time.
if setup build-asan -Db_sanitize=address,undefined -Db_lundef=false &&
	meson compile -C build-asan -j "$JOBS" &&
	meson test -C build-asan --print-errorlogs --timeout-multiplier 2; then
	:
else
	failed+=("build-asan/")
fi

echo "=== test.sh: $(( $(date +%s) - t0 )) s"
if [ ${#failed[@]} -ne 0 ]; then
	echo "test.sh: FAILED in ${failed[*]} (see the errors above, and */meson-logs/testlog.txt)"
	exit 1
fi
echo "test.sh: all passed (build/ and build-asan/)"
