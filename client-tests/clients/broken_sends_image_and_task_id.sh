#!/usr/bin/env bash
# fault: requests_valid — the create also sends "task_id":"0123456789abcdef0123456789abcdef" next to image_urls; Apikley refuses that (code 422), Evolink ignores the unknown field, so on Evolink this client passes every check.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=sends_image_and_task_id exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
