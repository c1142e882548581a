#!/usr/bin/env bash
# reference_shell.sh: the conformance suite's reference client in bash + curl + jq (see
# client-tests/README.md, "The contract with a client under test"). It creates one Grok Imagine
# image-to-video task on Apikley or Evolink, polls it, downloads the result and prints its URL
# (exit 0); any failure prints the provider's message on stderr (exit 1).
#
# Callback mode: bash cannot listen on a socket, and socat/nc are not guaranteed, so this client
# opens no receiver. When IMAGINE_CALLBACK_URL is set it does not ask for a callback (no
# callBackUrl / callback_url in the create) and simply polls; run it with --no-callback-receiver
# (clients.yaml: callback_receiver: false) so that the runner skips the callback checks.
#
# Timing: every request costs one curl and one jq, and waits use bash builtins, so the client
# keeps its rhythm on a loaded machine and with the short intervals the runner asks for.

set -u -o pipefail

command -v jq >/dev/null && command -v curl >/dev/null || { printf 'error: needs curl and jq\n' >&2; exit 2; }

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
retry_ms=${IMAGINE_RETRY_BASE_MS:-1000}
max_wait_s=${IMAGINE_MAX_WAIT_S:-600}

[[ $provider == apikley || $provider == evolink ]] ||
  die "IMAGINE_PROVIDER must be apikley or evolink (got \"$provider\")"
[[ -n $base_url ]] || die "IMAGINE_BASE_URL is not set"
[[ -n $api_key ]] || die "IMAGINE_API_KEY is not set"
[[ -n $model ]] || die "IMAGINE_MODEL is not set"
[[ $poll_ms =~ ^[1-9][0-9]{0,7}$ ]] || die "IMAGINE_POLL_INTERVAL_MS must be a positive integer (got \"$poll_ms\")"
[[ $retry_ms =~ ^[1-9][0-9]{0,7}$ ]] || die "IMAGINE_RETRY_BASE_MS must be a positive integer (got \"$retry_ms\")"
[[ $max_wait_s =~ ^[1-9][0-9]{0,7}$ ]] || die "IMAGINE_MAX_WAIT_S must be a positive integer (got \"$max_wait_s\")"

# clock: sets now to the wall clock in ms (bash 5's EPOCHREALTIME is "seconds.microseconds").
clock() {
  local t=${EPOCHREALTIME/[.,]/}
  now=$((10#$t / 1000))
}

# sleep_until MS: waits (without forking) until the wall clock reaches MS.
exec {sleep_fd}<> <(:)
sleep_until() {
  clock
  local ms=$(($1 - now)) seconds
  ((ms > 0)) || return 0
  printf -v seconds '%d.%03d' $((ms / 1000)) $((ms % 1000))
  read -r -t "$seconds" -u "$sleep_fd" || true
}

# url_encode TEXT: sets encoded to TEXT with everything but RFC 3986 unreserved characters escaped
# (task ids are ASCII).
url_encode() {
  local text=$1 c i
  encoded=
  for ((i = 0; i < ${#text}; i++)); do
    c=${text:i:1}
    if [[ $c == [a-zA-Z0-9._~-] ]]; then encoded+=$c; else printf -v c '%%%02X' "'$c"; encoded+=$c; fi
  done
}

clock
readonly deadline_ms=$((now + max_wait_s * 1000))

# send create|query: sends the create or one status query for $task_id; sets sent_ms, status
# (HTTP, 000 = no answer) and body.
send() {
  local kind=$1 out data path
  local -a curl_args=(-sS --connect-timeout 5 -m 30 -H "Authorization: Bearer $api_key" -w $'\n%{http_code}')
  if [[ $kind == create ]]; then
    if [[ $provider == apikley ]]; then
      path=/api/v1/jobs/createTask
      data=$(jq -cn --arg m "$model" --arg p "$prompt" --arg i "$image_url" \
        '{model: $m, input: {prompt: $p, image_urls: [$i]}}')
    else
      path=/v1/videos/generations
      data=$(jq -cn --arg m "$model" --arg p "$prompt" --arg i "$image_url" '{model: $m, prompt: $p, image_urls: [$i]}')
    fi
    curl_args+=(-X POST -H 'Content-Type: application/json' --data-binary "$data")
  elif [[ $provider == apikley ]]; then
    path="/api/v1/jobs/recordInfo?taskId=$task_id_encoded"
  else
    path="/v1/tasks/$task_id_encoded"
  fi
  clock
  sent_ms=$now
  out=$(curl "${curl_args[@]}" "$base_url$path" 2>/dev/null)
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  [[ $status =~ ^[0-9]{3}$ ]] || status=000
}

# parse: reads everything the client needs from body with one jq, into a_code (Apikley body
# code, "" if none), a_message (msg / error.message), a_task_id, a_state, a_url (Apikley: from
# the resultJson *string*, §1.5; Evolink: results[0]) and a_fail (failMsg / error.message).
parse() {
  a_code='' a_message='' a_task_id='' a_state='' a_url='' a_fail=''
  local assignments
  assignments=$(jq -r --arg provider "$provider" '
    def str: if type == "string" then . else "" end;
    def obj: if type == "object" then . else {} end;
    obj as $b
    | if $provider == "apikley" then
        ($b.data | obj) as $d
        | [($b.code | if type == "number" then tostring else "" end),
           ($b.msg | str),
           ($d.taskId | str),
           ($d.state | str),
           ($d.resultJson | str | (try fromjson catch null) | obj | .resultUrls
            | if type == "array" then .[0] else null end | str),
           ($d.failMsg | str)]
      else
        [ "",
          ($b.error | obj | .message | str),
          ($b.id | str),
          ($b.status | str),
          ($b.results | if type == "array" then .[0] else null end | str),
          ($b.error | obj | .message | str)]
      end
    | @sh "a_code=\(.[0]) a_message=\(.[1]) a_task_id=\(.[2]) a_state=\(.[3]) a_url=\(.[4]) a_fail=\(.[5])"
  ' <<<"$body" 2>/dev/null)
  eval "$assignments"
}

# classify create|query: parses the last answer and sets verdict (ok | retry | not_ready |
# fatal) and message.
classify() {
  local kind=$1 code
  parse
  if [[ $status == 000 ]]; then
    verdict=retry
    message="no answer from $base_url"
    return
  fi
  if [[ $provider == apikley ]]; then
    # Apikley answers HTTP 200 even for errors: the body's code is the outcome (§1.7).
    code=${a_code:-$status}
    message=${a_message:-"HTTP $status, code $code"}
    if [[ $code == 200 && $status == 200 ]]; then
      verdict=ok
    elif [[ $kind == query && $code == 422 && $a_message == "recordInfo is null" ]]; then
      verdict=not_ready  # a live quirk right after creation (§1.5): keep polling
    elif [[ $code == 429 || $code == 455 || $code == 500 ]] || { [[ -z $a_code ]] && ((status >= 500)); }; then
      verdict=retry
    else
      verdict=fatal
    fi
    return
  fi
  message=${a_message:-"HTTP $status"}
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

# send_with_retry create|query: send + classify, retrying a retryable answer at most kMaxRetries
# times. The first retry waits IMAGINE_RETRY_BASE_MS after the answer, each later one twice as long;
# each gap between two sends is also at least 1.5 times the one before, so the backoff still
# grows when the machine is slow. Never waits past the deadline; a retryable answer that is not
# retried ends as fatal. Sets answer_ms (when the last answer arrived).
send_with_retry() {
  local kind=$1 retry delay=$retry_ms gap=0 previous_sent next
  for ((retry = 0; ; retry++)); do
    send "$kind"
    clock
    answer_ms=$now
    classify "$kind"
    [[ $verdict == retry ]] || return 0
    verdict=fatal
    if ((retry == kMaxRetries)); then
      message+=" (still failing after $kMaxRetries retries)"
      return 0
    fi
    ((retry == 0)) || gap=$((sent_ms - previous_sent))
    next=$((answer_ms + delay))
    ((next >= sent_ms + gap * 3 / 2)) || next=$((sent_ms + gap * 3 / 2))
    if ((next > deadline_ms)); then
      message+=" (no time left to retry within IMAGINE_MAX_WAIT_S)"
      return 0
    fi
    sleep_until "$next"
    previous_sent=$sent_ms
    delay=$((delay * 2))
  done
}

# view_task: reads the task from the last ok status answer; sets state, terminal (0/1),
# success (0/1), result_url and message.
view_task() {
  terminal=0 success=0 result_url=
  state=$a_state
  if [[ ($provider == apikley && $state == success) || ($provider == evolink && $state == completed) ]]; then
    terminal=1
    result_url=$a_url
    if [[ -n $result_url ]]; then
      success=1
    else
      message="task $state but it names no result URL"
    fi
  elif [[ ($provider == apikley && $state == fail) || ($provider == evolink && $state == failed) ]]; then
    terminal=1
    message=${a_fail:-"task failed"}
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
task_id=$a_task_id
[[ -n $task_id ]] || die "the create answer carries no task id"
url_encode "$task_id"
task_id_encoded=$encoded

last_state=created
last_message=
while :; do
  next=$((answer_ms + poll_ms))
  ((next < deadline_ms)) || next=$deadline_ms
  sleep_until "$next"
  clock
  if ((now >= deadline_ms)); then
    text="gave up after $max_wait_s s waiting for task $task_id (last state: $last_state)"
    [[ -z $last_message ]] || text+=": $last_message"
    die "$text"
  fi
  send_with_retry query
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
