"""Executable validation protocols (validation/VAL-*.yaml) and their records."""
