"""The ``vigil`` command line: thin commands, JSON lines in and out, progress on stderr."""
