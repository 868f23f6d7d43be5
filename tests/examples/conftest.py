from ._procs import server_factory

__all__ = ["server_factory"]
