#!/usr/bin/env bash
# fault: no_retry_non_retryable — a create refused with 402 (Apikley body code 402, Evolink HTTP 402) is sent again up to 5 more times, one poll interval apart, before the client gives up properly with the provider's message.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=retries_402 exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
