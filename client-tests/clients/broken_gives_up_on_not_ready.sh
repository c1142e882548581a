#!/usr/bin/env bash
# fault: tolerates_record_not_ready — Apikley: the first {"code":422,"msg":"recordInfo is null"} right after creation is taken as a failure (exit 1 with that msg); on Evolink (404 task_not_found) it keeps polling like the reference.
# conformance: no-callback-receiver
#
# broken_gives_up_on_not_ready.sh: a deliberately broken copy of reference_shell.sh with exactly one fault
# (the lines marked FAULT); everything else below is the reference client.
#
# reference_shell.sh: the conformance suite's reference client in bash + curl + jq (see
# client-tests/README.md, "The contract with a client under test"). It creates one Grok Imagine
# image-to-video task on Apikley or Evolink, polls it, downloads the result and prints its URL
# (exit 0); any failure prints the provider's message on stderr (exit 1).
#
# Callback mode: bash cannot listen on a socket, and socat/nc are not guaranteed, so this client
# opens no receiver. When IMAGINE_CALLBACK_URL is set it does not ask for a callback (no
# callBackUrl / callback_url in the create) and simply polls; the runner skips the callback checks
# for clients marked "conformance: no-callback-receiver" (clients.yaml: callback_receiver: false).
#
# Broken copies of this file must keep every behaviour but one (see clients.yaml).

set -u -o pipefail

readonly kMaxRetries=4  # retryable answers (429/455/500, Evolink 5xx) are retried at most this often

die() {
  printf 'error: %s\n' "$1" >&2
  exit 1
}

provider=${IMAGINE_PROVIDER:-}
base_url=${IMAGINE_BASE_URL:-}
base_url=${base_url%/}
api_key=${IMAGINE_API_KEY:-}
model=${IMAGINE_MODEL:-}
prompt=${IMAGINE_PROMPT:-}
image_url=${IMAGINE_IMAGE_URL:-}
poll_ms=${IMAGINE_POLL_INTERVAL_MS:-2000}
max_wait_s=${IMAGINE_MAX_WAIT_S:-600}

[[ $provider == apikley || $provider == evolink ]] ||
  die "IMAGINE_PROVIDER must be apikley or evolink (got \"$provider\")"
[[ -n $base_url ]] || die "IMAGINE_BASE_URL is not set"
[[ -n $api_key ]] || die "IMAGINE_API_KEY is not set"
[[ -n $model ]] || die "IMAGINE_MODEL is not set"
[[ $poll_ms =~ ^[1-9][0-9]*$ ]] || die "IMAGINE_POLL_INTERVAL_MS must be a positive integer (got \"$poll_ms\")"
[[ $max_wait_s =~ ^[1-9][0-9]*$ ]] || die "IMAGINE_MAX_WAIT_S must be a positive integer (got \"$max_wait_s\")"

# Milliseconds on the wall clock (bash 5's EPOCHREALTIME is "seconds.microseconds").
now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  echo $((10#$t / 1000))
}

sleep_ms() {
  (($1 > 0)) || return 0
  sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
}

readonly deadline_ms=$(($(now_ms) + max_wait_s * 1000))

# send create|query [TASK_ID]: sends one request; sets status (HTTP, 000 = no answer) and body.
send() {
  local kind=$1 task_id=${2:-} out data path
  local -a curl_args=(-sS --connect-timeout 5 -m 30 -H "Authorization: Bearer $api_key" -w $'\n%{http_code}')
  if [[ $kind == create ]]; then
    if [[ $provider == apikley ]]; then
      path=/api/v1/jobs/createTask
      data=$(jq -cn --arg m "$model" --arg p "$prompt" --arg i "$image_url" \
        '{model: $m, input: {prompt: $p, image_urls: [$i]}}')
    else
      path=/v1/videos/generations
      data=$(jq -cn --arg m "$model" --arg p "$prompt" --arg i "$image_url" \
        '{model: $m, prompt: $p, image_urls: [$i]}')
    fi
    curl_args+=(-X POST -H 'Content-Type: application/json' --data-binary "$data")
  elif [[ $provider == apikley ]]; then
    path="/api/v1/jobs/recordInfo?taskId=$(jq -rn --arg x "$task_id" '$x|@uri')"
  else
    path="/v1/tasks/$(jq -rn --arg x "$task_id" '$x|@uri')"
  fi
  out=$(curl "${curl_args[@]}" "$base_url$path" 2>/dev/null)
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  [[ $status =~ ^[0-9]{3}$ ]] || status=000
  [[ $out == *$'\n'* ]] || body=
}

# classify create|query: sets verdict (ok | retry | not_ready | fatal) and message from the
# last answer (status, body).
classify() {
  local kind=$1 code
  if [[ $status == 000 ]]; then
    verdict=retry
    message="no answer from $base_url"
    return
  fi
  if [[ $provider == apikley ]]; then
    # Apikley answers HTTP 200 even for errors: the body's code is the outcome (§1.7).
    code=$(jq -r 'if type == "object" and (.code | type) == "number" then .code else empty end' <<<"$body" 2>/dev/null)
    message=$(jq -r 'if type == "object" then .msg // empty else empty end' <<<"$body" 2>/dev/null)
    local has_code=1
    [[ -n $code ]] || { code=$status; has_code=0; }
    [[ -n $message ]] || message="HTTP $status, code $code"
    if [[ $code == 200 && $status == 200 ]]; then
      verdict=ok
    elif false; then  # FAULT: "recordInfo is null" falls through to fatal
      verdict=not_ready
    elif [[ $code == 429 || $code == 455 || $code == 500 ]] || ((!has_code && status >= 500)); then
      verdict=retry
    else
      verdict=fatal
    fi
    return
  fi
  message=$(jq -r 'if type == "object" then .error.message // empty else empty end' <<<"$body" 2>/dev/null)
  [[ -n $message ]] || message="HTTP $status"
  if [[ $status == 200 ]]; then
    verdict=ok
  elif [[ $kind == query && $status == 404 ]]; then
    verdict=not_ready  # the task may not be visible yet right after creation
  elif [[ $status == 429 ]] || ((status >= 500)); then
    verdict=retry
  else
    verdict=fatal
  fi
}

# send_with_retry create|query [TASK_ID]: send + classify, retrying a retryable answer at most
# kMaxRetries times after waiting the poll interval, then twice as long each time, never past
# the deadline. A retryable answer that is not retried ends as fatal. Sets last_answer_ms: every
# wait is measured from the moment the previous answer arrived, so that the gaps between two
# requests as the server sees them are never shorter than the wait.
send_with_retry() {
  local kind=$1 task_id=${2:-} retry delay=$poll_ms
  for ((retry = 0; ; retry++)); do
    send "$kind" "$task_id"
    last_answer_ms=$(now_ms)
    classify "$kind"
    [[ $verdict == retry ]] || return 0
    verdict=fatal
    if ((retry == kMaxRetries)); then
      message+=" (still failing after $kMaxRetries retries)"
      return 0
    fi
    if (($(now_ms) + delay > deadline_ms)); then
      message+=" (no time left to retry within IMAGINE_MAX_WAIT_S)"
      return 0
    fi
    sleep_ms "$delay"
    delay=$((delay * 2))
  done
}

# view_task: reads the task from the last ok query answer (body); sets state, terminal
# (0/1), success (0/1), result_url and message.
view_task() {
  terminal=0 success=0 result_url=
  if [[ $provider == apikley ]]; then
    state=$(jq -r '.data.state // ""' <<<"$body")
    if [[ $state == success ]]; then
      terminal=1
      # resultJson is a JSON *string* (§1.5): parse it, then read resultUrls[0].
      result_url=$(jq -r '(.data.resultJson // "") | (try fromjson catch null) | .resultUrls[0]? // empty' <<<"$body")
      if [[ -n $result_url ]]; then success=1; else message="task succeeded but its resultJson holds no result URL"; fi
    elif [[ $state == fail ]]; then
      terminal=1
      message=$(jq -r '.data.failMsg // empty' <<<"$body")
      [[ -n $message ]] || message="task failed (failCode $(jq -r '.data.failCode // ""' <<<"$body"))"
    fi
  else
    state=$(jq -r '.status // ""' <<<"$body")
    if [[ $state == completed ]]; then
      terminal=1
      result_url=$(jq -r '.results[0]? // empty' <<<"$body")
      if [[ -n $result_url ]]; then success=1; else message="task completed without results"; fi
    elif [[ $state == failed ]]; then
      terminal=1
      message=$(jq -r '.error.message // empty' <<<"$body")
      [[ -n $message ]] || message="task failed"
    fi
  fi
}

# finish: the task is terminal; download and print the result, or report the failure.
finish() {
  ((success)) || die "$message"
  local got
  got=$(curl -sS --connect-timeout 5 -m 60 -o /dev/null -w '%{http_code} %{size_download}' "$result_url" 2>&1) ||
    die "task $task_id succeeded but downloading $result_url failed: $got"
  [[ ${got%% *} == 200 && ${got##* } != 0 ]] ||
    die "task $task_id succeeded but downloading $result_url answered HTTP ${got%% *} with ${got##* } bytes"
  printf '%s\n' "$result_url"
  exit 0
}

send_with_retry create
[[ $verdict == ok ]] || die "$message"
if [[ $provider == apikley ]]; then
  task_id=$(jq -r '.data.taskId // empty | strings' <<<"$body" 2>/dev/null)
else
  task_id=$(jq -r '.id // empty | strings' <<<"$body" 2>/dev/null)
fi
[[ -n $task_id ]] || die "the create answer carries no task id"

last_state=created
last_message=
while :; do
  next_ms=$((last_answer_ms + poll_ms))
  ((next_ms < deadline_ms)) || next_ms=$deadline_ms
  sleep_ms $((next_ms - $(now_ms)))
  if (($(now_ms) >= deadline_ms)); then
    text="gave up after $max_wait_s s waiting for task $task_id (last state: $last_state)"
    [[ -z $last_message ]] || text+=": $last_message"
    die "$text"
  fi
  send_with_retry query "$task_id"
  [[ $verdict != fatal ]] || die "$message"
  if [[ $verdict == not_ready ]]; then
    last_message=$message
    continue
  fi
  last_message=
  view_task
  ((terminal)) && finish
  [[ -z $state ]] || last_state=$state
done
