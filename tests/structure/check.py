#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# check.py: the tree's structural rules, checked from the source and the built objects.
#
#   tests/structure/check.py SOURCE_ROOT BUILD_DIR
#
# 1. no two C files of zones/, control/ and dataplane/ call into each other: for every pair of
#    object files, not both use a symbol the other defines (read with nm from the build);
# 2. no C file there is longer than 900 lines, and each starts with the licence line and then a
#    comment "/* NAME: what it does */" naming the file and its one job;
# 3. no absolute path of a developer's machine anywhere in the tracked files;
# 4. every C file and header follows .clang-format (clang-format --dry-run --Werror), when
#    clang-format is installed.
# Prints one line per problem, then "N passed, M failed" over the four checks.
import os
import re
import shutil
import subprocess
import sys

FOLDERS = ("zones", "control", "dataplane")
MAX_LINES = 900


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True)
    if out.returncode != 0:
        # not a checkout (a release tarball): every file below the root
        files = []
        for d, _, names in os.walk(root):
            if "/.git" in d or "/build" in d:
                continue
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return files
    return [f for f in out.stdout.splitlines() if os.path.exists(os.path.join(root, f))]


def objects(build):
    """Object files of the three folders' C sources: {source path: object path}."""
    objs = {}
    for d, _, names in os.walk(build):
        for n in names:
            if not n.endswith(".c.o"):
                continue
            rel = os.path.relpath(os.path.join(d, n), build)
            top = rel.split(os.sep)[0]
            if top not in FOLDERS:
                continue
            src = top + "/" + n[: -len(".o")]
            objs[src] = os.path.join(d, n)
    return objs


def symbols(obj):
    out = subprocess.run(["nm", "-g", obj], capture_output=True, text=True, check=True)
    defined, used = set(), set()
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRVWCGS":
            defined.add(parts[2])
    return defined, used


def check_cycles(build):
    objs = objects(build)
    if not objs:
        return ["cycles: no object files of %s under %s (build first)" % ("/".join(FOLDERS), build)]
    syms = {src: symbols(o) for src, o in objs.items()}
    owner = {}
    for src, (defined, _) in syms.items():
        for s in defined:
            owner[s] = src
    uses = {src: {owner[s] for s in used if s in owner and owner[s] != src}
            for src, (_, used) in syms.items()}
    bad = []
    for a in sorted(uses):
        for b in sorted(uses[a]):
            if a < b and a in uses.get(b, ()):
                ab = sorted(s for s in syms[a][1] if owner.get(s) == b)[:3]
                ba = sorted(s for s in syms[b][1] if owner.get(s) == a)[:3]
                bad.append("cycle: %s uses %s of %s, and %s uses %s of %s"
                           % (a, ",".join(ab), b, b, ",".join(ba), a))
    return bad


def check_files(root, files):
    bad = []
    for f in files:
        if f.split("/")[0] not in FOLDERS or not f.endswith((".c", ".h")):
            continue
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        name = os.path.basename(f)
        if f.endswith(".c") and len(lines) - 1 > MAX_LINES:
            bad.append("length: %s has %d lines (at most %d)" % (f, len(lines) - 1, MAX_LINES))
        if len(lines) < 2 or not lines[0].startswith("/* SPDX-License-Identifier"):
            bad.append("job: %s: line 1 is not the SPDX licence line" % f)
        elif not re.match(r"/\* %s: \S.*" % re.escape(name), lines[1]):
            bad.append("job: %s: line 2 is not \"/* %s: what it does */\"" % (f, name))
    return bad


MACHINE_PATH = re.compile(r"(?<![\w.])/(work|home|root|Users)/[\w.-]+")


def check_paths(root, files):
    bad = []
    for f in files:
        if f.startswith("tests/fuzz/corpus/"):
            continue
        try:
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        for nr, line in enumerate(text.split("\n"), 1):
            m = MACHINE_PATH.search(line)
            if m and f != "tests/structure/check.py":
                bad.append("path: %s:%d: an absolute path of a machine (%s)" % (f, nr, m.group(0)))
    return bad


def check_format(root, files):
    exe = shutil.which("clang-format") or shutil.which("clang-format-14")
    if exe is None:
        print("format: clang-format is not installed: not checked")
        return []
    srcs = [f for f in files if f.endswith((".c", ".h"))]
    out = subprocess.run([exe, "--style=file", "--dry-run", "--Werror"] + srcs, cwd=root,
                         capture_output=True, text=True)
    if out.returncode == 0:
        return []
    names = sorted({l.split(":")[0] for l in out.stderr.splitlines() if ": error:" in l})
    return ["format: %s does not follow .clang-format (clang-format -i %s)" % (n, n) for n in names]


def main():
    if len(sys.argv) != 3:
        print("usage: check.py SOURCE_ROOT BUILD_DIR", file=sys.stderr)
        return 2
    root, build = sys.argv[1], sys.argv[2]
    files = tracked(root)
    results = [("cycles", check_cycles(build)), ("files", check_files(root, files)),
               ("paths", check_paths(root, files)), ("format", check_format(root, files))]
    failed = 0
    for name, bad in results:
        for b in bad:
            print(b)
        print("%s: %s" % (name, "ok" if not bad else "%d problem(s)" % len(bad)))
        failed += bool(bad)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
