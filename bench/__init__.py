"""Benchmarks, run as scripts (see bench/README.md); a package so their names never clash with the apps."""
