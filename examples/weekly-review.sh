#!/usr/bin/env bash
# A week with engage, on a throwaway ledger: log a few meetings, then review.
# Run from anywhere once engage is installed:  bash examples/weekly-review.sh
set -euo pipefail

ENGAGE_DB="$(mktemp -d)/ledger.db"
export ENGAGE_DB
echo "# using a throwaway ledger at $ENGAGE_DB"

# Monday: set up the people you work with.
engage add "Ann Lee" --circle close --tag design -m "met at PyCon" --on "2 weeks ago"
engage add "Bob Stone" --circle active --tag investor --on "2 weeks ago"
engage add "City Library" --kind org --circle wide --on "2 weeks ago"

# Right after each meeting: record deposits (-d) and asks (-w).
engage log "Ann Lee" -d 2 -m "coffee; helped her plan the Lisbon move" --on "4 days ago"
engage log "Bob Stone" -w 3 -m "asked for an intro to his fund" --on "3 days ago"
engage log "Ann Lee" "Bob Stone" -d 1 -m "meetup: thanked both for their talks" --on yesterday

# Oops, that was not Bob: undo the last log and redo it for Ann only.
engage undo --yes
engage log "Ann Lee" -d 1 -m "meetup: thanked her for the talk" --on yesterday

# Bob made the intro: the ask is done, and half of it comes back as a deposit.
ask=$(engage asks --open --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
engage done "$ask" --on yesterday
# The library helped unasked: tracked, not charged.
engage log "City Library" -r 2 -m "the librarian found the archive for me" --on yesterday

# Before the next ask: is the relationship ready for it?
engage can-ask "Ann Lee" --points 3

# Friday: the weekly review on one screen (balance, trend, old asks, who to call).
engage review

# The same numbers for scripts.
engage balance --json | python3 -c 'import json, sys; r = json.load(sys.stdin); print("verdict:", r["verdict"])'
