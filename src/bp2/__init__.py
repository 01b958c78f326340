"""bp2: a clinical germline genome pipeline with its design history kept as code."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bp2")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
