#!/usr/bin/env bash
# Runs every sh block of docs/warnings.md, as walkthrough.sh runs the
# walkthrough's: the examples in the documentation must run.
DOC=docs/warnings.md exec "$(dirname "$0")/walkthrough.sh"
