#!/usr/bin/env python3
"""Checks that src/ keeps the shape cmake/layers.cmake declares.

  check_layers.py includes   every `#include "<layer>/..."` under src/ points to
                             the file's own layer or one it may see
                             (lint.include_direction)
  check_layers.py sources    every .cc/.cpp under src/ and tests/integration/ is
                             listed in a sources.cmake (lint.sources_listed)
  check_layers.py guards CXX BUILD_DIR
                             preprocesses, for each pair of layers, a probe that
                             includes all of the other layer's headers with the
                             first layer's include path (its layer guards
                             BUILD_DIR/layer-guards/<layer>, then src/): it must
                             succeed when allowed and fail on the guard's #error
                             when not (lint.layer_guards: the compiler itself
                             refuses an upward include)

The layer table is read from cmake/layers.cmake (SWITCHBOARD_SEES_<layer>
lines), the same table the build uses. Exit status 0 when clean, 1 otherwise;
every problem is printed with what to do about it.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers():
    """Returns {layer: set of layers it may include (itself included)}."""
    text = open(os.path.join(ROOT, "cmake", "layers.cmake")).read()
    order = re.search(r"set\(SWITCHBOARD_LAYERS ([^)]*)\)", text).group(1).split()
    sees = {}
    for name, deps in re.findall(r"set\(SWITCHBOARD_SEES_(\w+) ([^)]*)\)", text):
        sees[name] = {d for d in deps.replace('""', "").split()} | {name}
    missing = [l for l in order if l not in sees]
    if missing:
        sys.exit(f"cmake/layers.cmake: no SWITCHBOARD_SEES_ line for {missing}")
    return sees


def layer_of(path):
    rel = os.path.relpath(path, SRC).split(os.sep)
    return rel[0]


def source_files(top, exts):
    for base, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d != "migrations")
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(base, f)


def check_includes():
    sees = read_layers()
    problems = []
    checked = 0
    for path in source_files(SRC, (".cc", ".cpp", ".h")):
        layer = layer_of(path)
        rel = os.path.relpath(path, ROOT)
        if layer not in sees:
            problems.append(f"{rel}: folder src/{layer}/ is not a layer in cmake/layers.cmake")
            continue
        text = open(path, encoding="utf-8").read()
        for m in INCLUDE_RE.finditer(text):
            target = m.group(1)
            first = target.split("/")[0]
            if "/" not in target or first not in sees:
                continue  # same-folder or third-party include
            checked += 1
            if first not in sees[layer]:
                line = text.count("\n", 0, m.start()) + 1
                problems.append(
                    f"{rel}:{line}: includes \"{target}\", but layer '{layer}' may include only "
                    f"{sorted(sees[layer])} (cmake/layers.cmake): move the shared part down, "
                    f"or pass it in through an interface owned by '{layer}'")
    for p in problems:
        print(p)
    print(f"include_direction: {checked} layer includes checked, {len(problems)} problem(s)")
    return not problems


def listed_files():
    """Every file named in a sources.cmake, as a path relative to ROOT."""
    listed = set()
    for base in [SRC, os.path.join(ROOT, "tests", "integration")]:
        for sources in source_files(base, ("sources.cmake",)):
            folder = os.path.dirname(sources)
            text = re.sub(r"#[^\n]*", "", open(sources).read())
            for name in re.findall(r"[\w./-]+\.(?:cc|cpp)\b", text):
                listed.add(os.path.relpath(os.path.join(folder, name), ROOT))
    return listed


def check_sources():
    listed = listed_files()
    sees = read_layers()
    problems = []
    found = set()
    for top in [SRC, os.path.join(ROOT, "tests", "integration")]:
        for path in source_files(top, (".cc", ".cpp")):
            rel = os.path.relpath(path, ROOT)
            found.add(rel)
            if rel in listed:
                continue
            if rel.startswith("tests/integration/"):
                where, var = "tests/integration/sources.cmake", "SB_INTEGRATION_TESTS"
                name = os.path.relpath(rel, "tests/integration")
            elif os.path.dirname(path) == SRC:
                problems.append(f"{rel}: outside every layer: move it into src/<layer>/")
                continue
            else:
                layer = layer_of(path)
                name = os.path.relpath(path, os.path.join(SRC, layer))
                kind = "TESTS" if name.endswith("_test.cc") else "SOURCES"
                if layer == "store" and kind == "SOURCES" and name.startswith("postgres/"):
                    var = "SB_STORE_PG_SOURCES"
                else:
                    var = f"SB_{layer.upper()}_{kind}"
                where = f"src/{layer}/sources.cmake"
                if not os.path.exists(os.path.join(ROOT, where)):
                    where += " (new file: copy the shape of src/model/sources.cmake"
                    if layer not in sees:
                        where += "; add the layer to cmake/layers.cmake"
                    where += ")"
            problems.append(f"{rel}: not built: add `{name}` to {var} in {where}")
    for rel in sorted(listed - found):
        problems.append(f"{rel}: listed in a sources.cmake but does not exist: remove it there")
    for p in problems:
        print(p)
    print(f"sources_listed: {len(found)} source files, {len(problems)} problem(s)")
    return not problems


def check_guards(cxx, build):
    sees = read_layers()
    problems = []
    pairs = 0
    headers = {}
    for layer in sees:
        folder = os.path.join(SRC, layer)
        if os.path.isdir(folder):
            headers[layer] = [os.path.relpath(h, SRC) for h in source_files(folder, (".h",))
                              if not os.path.basename(h).startswith("test_") and
                              not h.endswith(("_test_support.h", "_test_util.h"))]
    with tempfile.TemporaryDirectory() as tmp:
        for layer in sees:
            guards = os.path.join(build, "layer-guards", layer)
            for other, names in headers.items():
                if not names:
                    continue
                pairs += 1
                probe = os.path.join(tmp, f"{layer}_sees_{other}.cc")
                with open(probe, "w") as f:
                    f.write("".join(f'#include "{n}"\n' for n in names))
                run = subprocess.run(
                    [cxx, "-std=c++20", "-E", "-o", os.devnull, "-I", guards, "-I", SRC,
                     "-I", os.path.join(build, "generated"), probe],
                    capture_output=True, text=True)
                allowed = other in sees[layer]
                if allowed and run.returncode != 0:
                    first = (run.stderr.strip().splitlines() or ["?"])[0]
                    problems.append(f"layer '{layer}' cannot include the headers of '{other}' "
                                    f"with its own include path: {first}")
                elif not allowed and run.returncode == 0:
                    problems.append(f"layer '{layer}' can include '{other}' headers, which "
                                    f"cmake/layers.cmake forbids: is {guards} up to date "
                                    f"(re-run cmake)?")
                elif not allowed and f"layer {layer} may not include {other}/" not in run.stderr:
                    problems.append(f"layer '{layer}' including '{other}' failed for another "
                                    f"reason: {run.stderr.strip()[:300]}")
    for p in problems:
        print(p)
    print(f"layer_guards: {pairs} layer pairs probed, {len(problems)} problem(s)")
    return not problems


def main(argv):
    if len(argv) >= 2 and argv[1] == "includes":
        return check_includes()
    if len(argv) >= 2 and argv[1] == "sources":
        return check_sources()
    if len(argv) == 4 and argv[1] == "guards":
        return check_guards(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv) else 1)
