"""`python -m benchmarks.run`: the performance harness (issue 7). See benchmarks/README.md."""
