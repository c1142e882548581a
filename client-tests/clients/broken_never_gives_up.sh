#!/usr/bin/env bash
# fault: gives_up_on_stuck — ignores IMAGINE_MAX_WAIT_S: it keeps polling (and retrying) until the task ends, forever if it never does.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=never_gives_up exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
