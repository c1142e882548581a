#!/usr/bin/env bash
# fault: surfaces_failure — a task that ends in fail (Apikley) or failed (Evolink) is treated like a success: the client exits 0 and prints nothing.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=ignores_fail exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
