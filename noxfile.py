"""Developer and CI entry points. `nox -s spec tests lint typecheck` is what CI runs."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["spec", "tests", "lint", "typecheck"]

PACKAGES = ["reference_server", "conformance"]


def _install(session: nox.Session, *extras: str) -> None:
    spec = ".[" + ",".join(extras) + "]" if extras else "."
    session.install("-e", spec)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole offline test suite (GPU tests skip themselves without a GPU), on one pytest-xdist
    worker per CPU; tests marked `xdist_group` run one after another on one worker."""
    _install(session, "dev")
    session.run("pytest", "-n", "auto", "--dist", "loadgroup", *session.posargs)


@nox.session
def spec(session: nox.Session) -> None:
    """Validate spec/: OpenAPI document, 2020-12 schemas, upstream examples and counter-examples."""
    _install(session, "dev")
    session.run("openapi-spec-validator", "spec/openapi.yaml")
    session.run("pytest", "tests/spec", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.8")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the packages."""
    _install(session, "dev")
    session.run("mypy")


@nox.session
def conformance(session: nox.Session) -> None:
    """Run the conformance suite against a freshly started reference server (or pass --base-url ...)."""
    _install(session, "dev")
    session.run("stratus-conformance", "run", *session.posargs)


@nox.session
def clients(session: nox.Session) -> None:
    """The real-client matrix (Python + Node client libraries) against a fresh reference server.

    Client venvs go to .nox/clients-<name>, Node 22 to .cache/node; reports to reports/clients/.
    Any deployment: `nox -s clients -- --base-url URL --api-key KEY`; a subset: `-- --only python.openai`."""
    session.install("-e", ".", "uv>=0.5")
    session.run("python", "-m", "conformance.clients", "matrix", *session.posargs)


@nox.session
def snapshots(session: nox.Session) -> None:
    """Snapshot regression over fixtures/requests/ and the documented-upstream cassettes.

    Intended changes: `nox -s snapshots -- --snapshot-update` (the same files as
    `stratus-conformance snapshot --update --snapshots tests/snapshots/__snapshots__/test_corpus`),
    then review the diff."""
    _install(session, "dev")
    session.run("pytest", "tests/snapshots", "tests/upstream", *session.posargs)


@nox.session
def planner_fit(session: nox.Session) -> None:
    """Refit the planner's operation model (reference_server/planner/data/operation_model.json) on the
    Mind2Web development split, settings chosen by cross-validation grouped by website."""
    _install(session, "dev")
    session.run("python", "-m", "tests.tools.planner_fit", *session.posargs)


@nox.session
def planner_eval(session: nox.Session) -> None:
    """Score the planner's first actions against the Mind2Web human traces in nine notations, under
    website-grouped cross-validation (each fold's operation model is refitted without its websites)."""
    _install(session, "dev")
    session.run(
        "python",
        "-m",
        "tests.tools.planner_eval",
        "--json",
        "reports/planner_eval.json",
        *session.posargs,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (figures, not pass/fail): planner latency, server throughput, instance generation,
    a snapshot check of the request corpus."""
    _install(session, "dev")
    session.run("python", "-m", "tests.tools.bench_planner", "--json", "reports/planner_bench.json")
    session.run("python", "-m", "tests.tools.bench_server", "--json", "reports/server_bench.json")
    session.run("python", "-m", "tests.tools.bench_instances", "--json", "reports/instances_bench.json")
    session.run("python", "-m", "tests.tools.bench_snapshot", "--json", "reports/snapshot_bench.json")


@nox.session
def soak(session: nox.Session) -> None:
    """Soak (minutes, not in CI): server RSS over time under unique goals and 1 MB texts (figures)."""
    _install(session, "dev")
    session.run("python", "-m", "tests.tools.soak", "--json", "reports/soak.json", *session.posargs)
