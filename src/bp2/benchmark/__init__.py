"""Benchmarking of called variants against truth sets."""
