"""Benchmarks: run as modules, e.g. `python -m bench.send_prompts`; see bench/README.md."""
