#!/usr/bin/env bash
# fault: bounded_retry_backoff — retries a 429/500/455 (Evolink 429/5xx) answer at once, without any wait, up to 8 times (so it still fails, with the message, when 10 creates in a row answer 429).
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=no_backoff exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
