"""The benchmark's output: references measured in the run, and figures, each
printed as its value, its ratio to its reference and its target (issue 14,
docs/architecture.md §5) with ✔ or ✘; optionally the same as JSON so later
sessions can compare runs.

Imported by bench/run.py; not a test.
"""
import json
import statistics


class Target:
    """A bound on a figure's ratio to its reference (`of_reference`) or on its value."""

    def __init__(self, op, bound, of_reference=False):
        assert op in (">=", "<=")
        self.op, self.bound, self.of_reference = op, bound, of_reference

    def met(self, value, ratio):
        x = ratio if self.of_reference else value
        if x is None or x != x:  # no ratio, or NaN
            return False
        return x >= self.bound if self.op == ">=" else x <= self.bound

    def text(self, unit):
        sign = "≥" if self.op == ">=" else "≤"
        if self.of_reference:
            return f"{sign} {self.bound * 100:.0f} %"
        return f"{sign} {_number(self.bound)} {unit}".strip()


def _number(x):
    if x != x:
        return "nan"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}"


class Report:
    def __init__(self, meta):
        self.meta = meta
        self.references = {}  # key -> {"label", "runs", "value", "unit"}
        self.figures = []

    def add_run(self, key, label, value, unit, errors=0):
        """One measurement of a reference; its value is the mean of its runs
        (each reference is measured before and after the figures that use it)."""
        ref = self.references.setdefault(key, {"label": label, "runs": [], "unit": unit, "errors": 0})
        ref["runs"].append(value)
        ref["errors"] += errors
        ref["value"] = statistics.mean(ref["runs"])

    def figure(self, name, label, value, unit, reference=None, target=None, detail=""):
        """A figure; its ratio is taken when the report is printed, against its
        reference's mean over every run (also those measured after it)."""
        self.figures.append({"name": name, "label": label, "value": value, "unit": unit, "reference": reference,
                             "target": target, "detail": detail})

    def _resolved(self):
        out = []
        for f in self.figures:
            ref = self.references.get(f["reference"]) if f["reference"] else None
            ratio = f["value"] / ref["value"] if ref and ref["value"] else None
            target = f["target"]
            out.append({**f, "ratio": ratio, "target": target.text(f["unit"]) if target else None,
                        "met": target.met(f["value"], ratio) if target else None})
        return out

    def print(self):
        m = self.meta
        print(f"Switchboard benchmark — {m['date']}, commit {m['commit']}, {m['cpus']} cores, "
              f"load average {m['load_start']} at start, {m['load_end']} at end")
        print(f"wrk runs of {m['seconds']} s; SQLite synchronous=FULL; nginx TLS offers {m['nginx_tls_offers']}; "
              "loopback only")
        print()
        print("References (measured in this run; each the mean of its runs, listed):")
        for key, ref in self.references.items():
            runs = " / ".join(_number(r) for r in ref["runs"])
            errors = f", {ref['errors']} errors" if ref["errors"] else ""
            print(f"  [{key}] {ref['label']:62} {_number(ref['value']):>10} {ref['unit']}  ({runs}{errors})")
        print()
        print(f"{'figure':66} {'value':>16} {'of ref':>15} {'target':>15}")
        for f in self._resolved():
            value = f"{_number(f['value'])} {f['unit']}"
            ratio = f"{f['ratio'] * 100:.0f} % [{f['reference']}]" if f["ratio"] is not None else ""
            mark = "" if f["met"] is None else ("✔" if f["met"] else "✘")
            print(f"{f['label']:66} {value:>16} {ratio:>15} {f['target'] or '':>15} {mark}")
            if f["detail"]:
                print(f"    {f['detail']}")

    def write_json(self, path):
        with open(path, "w") as out:
            json.dump({"meta": self.meta, "references": self.references, "figures": self._resolved()}, out, indent=2)
            out.write("\n")
