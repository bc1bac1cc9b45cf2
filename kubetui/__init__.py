"""kubetui: a terminal UI for Kubernetes."""
__version__ = "0.1.0"
