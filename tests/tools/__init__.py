"""Developer tools: benchmarks, the soak run, the provider recorder and the planner's fitter and
evaluator. Not part of the runtime packages nor of the wheel; run from a checkout as
`python -m tests.tools.<name>` (see README.md here)."""
