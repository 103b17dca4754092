"""The release, stamped on every decision."""

__version__ = "0.1.0"
