#!/usr/bin/env bash
# fault: tolerates_record_not_ready — Apikley: the first {"code":422,"msg":"recordInfo is null"} right after creation is taken as a failure (exit 1 with that msg); on Evolink (404 task_not_found) it keeps polling like the reference.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=gives_up_on_not_ready exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
