"""The benchmarks behind `nox -s bench` run and write their figures (tiny settings; no speed is asserted)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reference_server.planner._backend import numba_or_none
from tests.tools import bench_instances as instances_bench
from tests.tools import bench_planner as planner_bench
from tests.tools import bench_server as server_bench
from tests.tools import bench_snapshot as snapshot_bench
from tests.tools import profile_request


def test_planner_bench_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "planner.json"
    assert (
        planner_bench.main(["--sizes", "small", "--requests", "40", "--rounds", "2", "--json", str(out)]) == 0
    )
    report = json.loads(out.read_text("utf-8"))
    assert set(report["cpu"]) == {"numpy"} | ({"numba"} if numba_or_none() else set())
    for per_size in report["cpu"].values():
        small = per_size["small"]
        for mode in ("warm", "new_state", "cold"):
            assert 0 < small[mode]["p50_ms"] <= small[mode]["p99_ms"]
            assert len(small["rounds"][mode]) == 2
        assert set(small["batch_throughput_per_s"]) == {"1", "32", "256"}


def test_planner_bench_large_states(tmp_path: Path) -> None:
    out = tmp_path / "planner.json"
    args = ["--sizes", "base", "--requests", "20", "--rounds", "1", "--large", "3", "--backends", "numpy"]
    assert planner_bench.main([*args, "--json", str(out)]) == 0
    base = json.loads(out.read_text("utf-8"))["cpu"]["numpy"]["base"]
    for kind in ("html_50kb", "ax_tree_500"):
        for mode in ("new", "warm"):
            assert 0 < base[kind][f"{mode}_p50_ms"] <= base[kind][f"{mode}_p99_ms"]


@pytest.mark.parametrize("generator", ["wrk", "httpx"])
def test_server_bench_compares_with_the_bare_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generator: str
) -> None:
    if generator == "wrk" and shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (the bench then uses its httpx load generator)")
    if generator == "httpx":
        monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "server.json"
    args = [
        "--seconds",
        "1",
        "--rounds",
        "1",
        "--concurrency",
        "1",
        "--ttfe-samples",
        "5",
        "--json",
        str(out),
    ]
    assert server_bench.main(args) == 0
    report = json.loads(out.read_text("utf-8"))
    assert report["load_generator"].split("_")[0] == generator
    for name in ("bare", "reference", "reference_uncached"):
        assert report[name]["c1"]["rps"] > 0
        assert report[name]["c1"]["errors"] == 0
    assert report["ratio_reference"]["c1"] > 0
    assert report["ttfe"]["p50_ms"] > 0


def test_request_profile_reports_cpu_time_per_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "profile.json"
    args = ["--requests", "3", "--rounds", "1", "--warmup", "1"]
    assert profile_request.main([*args, "--json", str(out)]) == 0
    report = json.loads(out.read_text("utf-8"))
    for name in ("bare", "reference", "reference_structured", "reference_uncached"):
        assert report["cpu_us_per_request"][name] > 0
    assert report["ratio_in_process"]["reference"] > 0
    assert profile_request.main([*args, "--profile", "--top", "40"]) == 0
    assert "chat_completions" in capsys.readouterr().out


def test_instances_bench_times_generation_and_validation(tmp_path: Path) -> None:
    out = tmp_path / "instances.json"
    assert instances_bench.main(["--repeat", "2", "--limit", "5", "--json", str(out)]) == 0
    report = json.loads(out.read_text("utf-8"))
    assert report["schemas"] == 5
    for part in ("cold", "warm", "generate", "validate"):
        assert 0 < report[part]["p50_ms"] <= report[part]["p99_ms"] <= report[part]["max_ms"]
    assert 0 < report["validate_share_of_warm"] < 1


def test_snapshot_bench_times_a_record_and_a_check(tmp_path: Path) -> None:
    out = tmp_path / "snapshot.json"
    assert (
        snapshot_bench.main(
            ["--rounds", "1", "--only", "health", "--only", "models-list", "--json", str(out)]
        )
        == 0
    )
    report = json.loads(out.read_text("utf-8"))
    assert report["requests"] == 3  # health, models-list, models-list-page
    for name in ("record_s_median", "check_s_median", "check_engine_s_median", "startup_s_median"):
        assert report[name] > 0
    assert report["request_p50_ms"] > 0
