#!/usr/bin/env python3
"""Benchmark runner: this package vs upstream wsproto 1.3.2 vs websockets' sans-I/O layer.

Creates (or reuses) venvs under ``benchmarks/.venvs/``, runs every scenario of
``scenarios.py`` once per variant per round, rounds interleaved, and writes
``results.md``, ``results.json`` and ``results.png`` beside this file::

    python3 benchmarks/run.py            # full run (about 10 minutes)
    python3 benchmarks/run.py --quick    # short run (about 2 minutes)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence

from report import Target, write_markdown
from scenarios import BLOCK_ENV, SCENARIOS

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENVS = HERE / ".venvs"
UPSTREAM_SPEC = ["wsproto==1.3.2"]
WEBSOCKETS_SPEC = "websockets==17.4"
NO_EXT_ENV = "WSPROTO_NO_EXTENSIONS"
PURE_ENV = "WSPROTO_PURE_PYTHON"  # the core's earlier spelling of the same switch
DEFLATE_SCENARIOS = ("deflate_4k", "deflate_roundtrip_text", "zlib_4k")
PIP = ["-m", "pip", "install", "-q", "--disable-pip-version-check"]

TARGETS = [
    Target("recv_small", "ours", "upstream", 4.0),
    Target("send_small", "ours", "upstream", 3.0),
    Target("roundtrip_small", "ours", "upstream", 3.0),
    Target("ping_pong", "ours", "upstream", 2.5),
    Target("handshake_deflate", "ours", "upstream", 1.3),
    Target("deflate_4k", "ours", "upstream", 1.3, ceiling="zlib_4k"),
    Target("deflate_4k", "ours+zlib-ng", "upstream", 2.0, ceiling="zlib_4k"),
    Target("recv_1m", "ours", "websockets", 1.0, needs_accelerator=True),
    Target("send_1m", "ours", "websockets", 1.0, needs_accelerator=True),
    Target("recv_1m", "ours-pure", "upstream", 1.0),
    Target("send_1m", "ours-pure", "upstream", 1.0),
    Target("import_time", "ours", "upstream", 1.0),
    Target("memory_idle", "ours", "upstream", 1.0),
    Target("memory_idle_deflate", "ours", "upstream", 1.0),
    # 80 KiB per connection after one message each way, against upstream's ~306 KiB
    Target("memory_msg_deflate", "ours", "upstream", 3.8),
    Target("deflate_roundtrip_text", "ours", "upstream", 1.3),
]


@dataclass
class Variant:
    """One implementation as measured: a venv, a scenario family, an environment."""

    name: str
    venv: str
    family: str
    env: Dict[str, str] = field(default_factory=dict)
    only: Sequence[str] | None = None  # scenario names, None for all

    def applies(self, scenario: str) -> bool:
        """Whether this variant is measured for *scenario*."""
        return self.only is None or scenario in self.only


# --------------------------------------------------------------------------- venvs


def venv_python(name: str) -> Path:
    """Path of the interpreter of venv *name*."""
    return VENVS / name / "bin" / "python"


def build_fingerprint() -> str:
    """Hash of the files whose change needs a re-install of the editable packages."""
    digest = hashlib.sha256()
    for root in (REPO, REPO / "wsproto_deflate"):
        for pattern in ("pyproject.toml", "setup.py", "setup.cfg"):
            path = root / pattern
            if path.is_file():
                digest.update(path.read_bytes())
        for path in sorted(root.glob("*/*.c")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(name: str, python: str, specs: List[str], optional: Sequence[str] = ()) -> Path:
    """Create or refresh venv *name* with *specs* (one pip call); return its python."""
    exe = venv_python(name)
    stamp = VENVS / name / ".bench-stamp"
    wanted = json.dumps({"python": python, "specs": specs, "optional": list(optional),
                         "build": build_fingerprint()})
    if exe.exists() and stamp.exists() and stamp.read_text() == wanted:
        return exe
    if not exe.exists():
        print(f"[bench] creating venv {name}", file=sys.stderr)
        subprocess.run([python, "-m", "venv", str(VENVS / name)], check=True, timeout=600)
    print(f"[bench] installing into {name}: {' '.join(specs)}", file=sys.stderr)
    subprocess.run([str(exe), *PIP, *specs], check=True, timeout=1200)
    for spec in optional:
        done = subprocess.run([str(exe), *PIP, spec], check=False, timeout=1200)
        if done.returncode != 0:
            print(f"[bench] optional {spec} not installed; its rows are skipped",
                  file=sys.stderr)
    stamp.write_text(wanted)
    return exe


def compile_sources(exe: Path) -> None:
    """Byte-compile the editable checkout, as pip does for an ordinary install.

    An editable install leaves .py files only; where PYTHONDONTWRITEBYTECODE is set
    (as on this machine) every fresh interpreter would recompile them, and the import
    and cold-start rows would time the compiler rather than the imports.
    """
    dirs = [REPO / "wsproto", REPO / "wsproto_deflate" / "wsproto_deflate"]
    subprocess.run([str(exe), "-m", "compileall", "-q", *[str(d) for d in dirs if d.is_dir()]],
                   check=True, capture_output=True, timeout=600)


def ours_specs(override: str | None) -> List[str]:
    """pip arguments installing this package (editable) plus websockets."""
    if override:
        return [*override.split(), WEBSOCKETS_SPEC]
    # compat mode: a plain path entry in a .pth file. The default mode installs an
    # import finder that pre-imports re, enum, pathlib... at every interpreter start,
    # which would hide part of ours' import time (upstream's venv has no such thing).
    specs = ["--config-settings", "editable_mode=compat", "-e", str(REPO)]
    if (REPO / "wsproto_deflate" / "pyproject.toml").is_file():
        specs += ["-e", str(REPO / "wsproto_deflate")]
    return [*specs, WEBSOCKETS_SPEC]


PROBE = """
import importlib.util, json, os, sys
os.environ.pop("WSPROTO_NO_EXTENSIONS", None)
os.environ.pop("WSPROTO_PURE_PYTHON", None)
import wsproto, wsproto.frame_protocol
try:
    import wsproto._masking
except ImportError:
    pass
native = sorted(n for n, m in list(sys.modules.items()) if n.startswith("wsproto") and m
                and str(getattr(m, "__file__", "") or "").endswith((".so", ".pyd")))
print(json.dumps({"native": native, "zlib_ng": importlib.util.find_spec("zlib_ng") is not None}))
"""


def probe(exe: Path) -> Dict[str, Any]:
    """Whether the ours venv has a native accelerator and zlib-ng."""
    out = subprocess.run([str(exe), "-c", PROBE], check=True, capture_output=True, text=True,
                         timeout=120)
    result: Dict[str, Any] = json.loads(out.stdout)
    return result


# --------------------------------------------------------------------------- running


def variants_for(facts: Dict[str, Any]) -> List[Variant]:
    """The variants worth measuring given what the ours venv holds."""
    no_zng = {BLOCK_ENV: "zlib_ng"}
    found = [
        Variant("upstream", "upstream", "wsproto"),
        Variant("ours", "ours", "wsproto", dict(no_zng)),
    ]
    if facts["native"]:
        pure = {**no_zng, NO_EXT_ENV: "1", PURE_ENV: "1"}
        found.append(Variant("ours-pure", "ours", "wsproto", pure))
    if facts["zlib_ng"]:
        # The default preset keeps stdlib zlib (zlib-ng allocates ~180 KiB per stream):
        # this variant asks for zlib-ng explicitly.
        found.append(Variant("ours+zlib-ng", "ours", "wsproto",
                             {"WSPROTO_DEFLATE_BACKEND": "zlib-ng"}, only=DEFLATE_SCENARIOS))
    found.append(Variant("websockets", "ours", "websockets", dict(no_zng)))
    return found


def run_one(variant: Variant, scenario: str, duration: float, count: int) -> Dict[str, Any]:
    """Run one scenario process; return its JSON or an ``error`` entry."""
    env = {k: v for k, v in os.environ.items() if k not in (NO_EXT_ENV, PURE_ENV, BLOCK_ENV)}
    env.update(variant.env)
    env["PYTHONHASHSEED"] = "0"
    cmd = [str(venv_python(variant.venv)), str(HERE / "scenarios.py"), scenario,
           "--family", variant.family, "--duration", str(duration)]
    if count:
        cmd += ["--count", str(count)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                             cwd=str(HERE))
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 600 s"}
    if out.returncode != 0:
        lines = (out.stderr or out.stdout).strip().splitlines()
        return {"error": lines[-1] if lines else f"exit code {out.returncode}"}
    result: Dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_rounds(variants: List[Variant], scenarios: List[str], repeat: int, duration: float,
               quick: bool) -> Dict[str, Dict[str, List[Dict[str, Any]]]]:
    """Interleave: each round runs every scenario for every variant, order rotated."""
    raw: Dict[str, Dict[str, List[Dict[str, Any]]]] = {s: {} for s in scenarios}
    for rnd in range(repeat):
        for scenario in scenarios:
            kind = SCENARIOS[scenario].kind
            count = {"memory": 200 if quick else 1000, "time": 3 if quick else 5}.get(kind, 0)
            if kind == "memory" and SCENARIOS[scenario].count:
                count = SCENARIOS[scenario].count // (10 if quick else 1)
            todo = [v for v in variants if v.applies(scenario)]
            shift = rnd % len(todo)
            for variant in todo[shift:] + todo[:shift]:
                result = run_one(variant, scenario, duration, count)
                raw[scenario].setdefault(variant.name, []).append(result)
                shown = result.get("error") or f"{result['value']:.6g} {result['unit']}"
                print(f"[bench] round {rnd + 1}/{repeat} {scenario:20} {variant.name:13} {shown}",
                      file=sys.stderr)
    return raw


def summarize(raw: Dict[str, Dict[str, List[Dict[str, Any]]]]) -> Dict[str, Dict[str, Any]]:
    """Median (and spread) per scenario and variant."""
    table: Dict[str, Dict[str, Any]] = {}
    for scenario, per_variant in raw.items():
        table[scenario] = {}
        for name, results in per_variant.items():
            values = [r["value"] for r in results if "value" in r]
            errors = [r["error"] for r in results if "error" in r]
            if not values:
                table[scenario][name] = {"error": errors[0] if errors else "no result"}
                continue
            table[scenario][name] = {
                "median": statistics.median(values),
                "min": min(values), "max": max(values), "n": len(values),
                "errors": len(errors),
            }
    return table


def machine_facts(exe_ours: Path, exe_up: Path, facts: Dict[str, Any]) -> Dict[str, Any]:
    """Versions and machine description for the report header."""
    def version(exe: Path, dist: str) -> str:
        code = f"from importlib.metadata import version; print(version({dist!r}))"
        out = subprocess.run([str(exe), "-c", code], capture_output=True, text=True,
                             timeout=60, check=False)
        return out.stdout.strip() or "not installed"

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    py = subprocess.run([str(exe_ours), "-c", "import platform; print(platform.python_version())"],
                        capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": py, "cpu": cpu, "cores": os.cpu_count(),
        "ours": version(exe_ours, "wsproto"),
        "wsproto_deflate": version(exe_ours, "wsproto-deflate"),
        "upstream": version(exe_up, "wsproto"),
        "websockets": version(exe_ours, "websockets"),
        "zlib_ng": version(exe_ours, "zlib-ng"),
        "native": facts["native"],
    }


def plot(results_json: Path, image: Path, python: str) -> None:
    """Draw the ratio chart with matplotlib from its own venv."""
    exe = ensure_venv("plot", python, ["matplotlib"])
    subprocess.run([str(exe), str(HERE / "plot.py"), str(results_json), str(image)],
                   check=True, timeout=300)


def rewrite(source: Path, out: Path, python: str, no_plot: bool) -> int:
    """Regenerate the Markdown report and the plot from saved results."""
    results: Dict[str, Any] = json.loads(source.read_text())
    accelerated = bool(results["meta"]["native"])
    out.with_suffix(".md").write_text(
        write_markdown(results, TARGETS, accelerated, out.with_suffix(".png").name))
    if not no_plot:
        plot(source, out.with_suffix(".png"), python)
    return 0


def main(argv: List[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds of 0.25 s per run, fewer connections/processes")
    parser.add_argument("--scenarios", default="",
                        help="comma-separated subset (default: all): " + ",".join(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=0, help="rounds (default 5, quick 3)")
    parser.add_argument("--duration", type=float, default=0.0,
                        help="timed seconds per rate run (default 1.0, quick 0.25)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter the venvs are created from (default: this one)")
    parser.add_argument("--ours-spec", default=os.environ.get("BENCH_OURS_SPEC", ""),
                        help="pip arguments standing in for this package (development only)")
    parser.add_argument("--output", default=str(HERE / "results"),
                        help="path prefix of the .md/.json/.png outputs")
    parser.add_argument("--no-plot", action="store_true", help="skip the matplotlib image")
    parser.add_argument("--from-json", metavar="PATH",
                        help="measure nothing: rewrite the .md (and .png) from a results.json")
    args = parser.parse_args(argv)
    if args.from_json:
        return rewrite(Path(args.from_json).resolve(), Path(args.output).resolve(),
                       args.python, args.no_plot)

    out = Path(args.output).resolve()
    # Child interpreters put their working directory on sys.path: keep it free of
    # the checkout's wsproto/ and wsproto.egg-info, which would shadow the venvs'.
    os.chdir(HERE)
    scenarios = [s for s in args.scenarios.split(",") if s] or list(SCENARIOS)
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}")
    repeat = args.repeat or (3 if args.quick else 5)
    duration = args.duration or (0.25 if args.quick else 1.0)

    VENVS.mkdir(parents=True, exist_ok=True)
    exe_up = ensure_venv("upstream", args.python, UPSTREAM_SPEC)
    exe_ours = ensure_venv("ours", args.python, ours_specs(args.ours_spec), optional=["zlib-ng"])
    compile_sources(exe_ours)
    facts = probe(exe_ours)
    variants = variants_for(facts)
    meta = machine_facts(exe_ours, exe_up, facts)
    meta.update(repeat=repeat, duration=duration, quick=args.quick,
                ours_spec=args.ours_spec or "editable checkout")
    print(f"[bench] variants: {', '.join(v.name for v in variants)}", file=sys.stderr)

    raw = run_rounds(variants, scenarios, repeat, duration, args.quick)
    table = summarize(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    results = {"meta": meta, "variants": [v.name for v in variants], "table": table,
               "scenarios": {s: {"unit": SCENARIOS[s].unit,
                                 "higher_is_better": SCENARIOS[s].higher_is_better,
                                 "summary": SCENARIOS[s].summary} for s in scenarios},
               "targets": [t.as_dict() for t in TARGETS], "raw": raw}
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    markdown = write_markdown(results, TARGETS, bool(facts["native"]), out.with_suffix(".png").name)
    out.with_suffix(".md").write_text(markdown)
    print(markdown)
    if not args.no_plot:
        plot(out.with_suffix(".json"), out.with_suffix(".png"), args.python)
    print(f"[bench] wrote {out}.md, {out}.json" + ("" if args.no_plot else f", {out}.png"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
