"""Benchmarks: each measures our code against a reference tool in the same run (see README.md)."""
