#!/usr/bin/env bash
# fault: body_code_outcome — Apikley: a create answered HTTP 200 with a non-200, non-retryable body code (401/402/422/505...) is taken as created, so the client polls recordInfo?taskId=null until IMAGINE_MAX_WAIT_S and then fails, quoting the create's msg; Evolink uses real HTTP statuses, so there it behaves correctly.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=trusts_http_200 exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
