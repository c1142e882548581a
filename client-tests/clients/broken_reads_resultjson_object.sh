#!/usr/bin/env bash
# fault: result_json_string — Apikley: reads .data.resultJson.resultUrls[0] as if resultJson were an object, which yields nothing from the string, so the client prints an empty line (and downloads nothing) and exits 0; Evolink has no resultJson, so there it behaves correctly.
# The reference shell client with exactly this fault switched on (reference_shell.sh, "Faults").
IMAGINE_CLIENT_FAULT=reads_resultjson_object exec bash "$(dirname "${BASH_SOURCE[0]}")/reference_shell.sh"
