"""File formats engage reads and writes: pure functions, no ledger."""
