"""All SQL: the ledger file, its schema and migrations, derived state, writes, reads, sync.

Each module takes an open `Ledger` (store.connection) as its first argument
and raises the typed errors of `engage_cli.errors`; none words a message for
the command line. docs/architecture.md maps the rooms.
"""
