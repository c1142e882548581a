#!/usr/bin/env bash
# fault: no_query_after_terminal — after a status query shows the task succeeded, the client sends two more status queries (one poll interval apart) before downloading the result.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=polls_after_success exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
