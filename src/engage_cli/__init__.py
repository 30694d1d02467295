"""engage: a personal relationship ledger for the command line."""

__version__ = "0.1.0"
