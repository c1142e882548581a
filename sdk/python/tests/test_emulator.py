"""The Emulator class against the real binary ($IMAGINE_EMU_BINARY): most tests use the plugin's fixture."""
import http.server
import json
import os
import re
import threading
import time

import pytest

import _client
from imagine_emu import Emulator, EmulatorError, find_binary
from imagine_emu.emulator import bundled_binary
from imagine_emu.emulator import terminal_seen

KEY = "sdk-test-key"


# ---- starting, attaching, stopping -----------------------------------------------------------------------
def test_starts_on_a_free_loopback_port_with_a_virtual_clock_and_stops():
    with Emulator(seed=3) as emu:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url), emu.url
        assert emu.clock()["mode"] == "virtual"
        assert emu.health()["status"] == "ok"
        process = emu._process
    assert process.poll() is not None, "stop() (leaving the with block) ends the process"
    with pytest.raises(EmulatorError) as e:
        Emulator(url=emu.url).health()
    assert e.value.status == 0 and e.value.code == "unreachable"


def test_flags_and_a_config_dict_reach_the_command_line():
    config = {"accounts": {"keys": {"seven-credits": {"credits": 7}}}}
    with Emulator(clock="real", time_scale=10, config=config) as emu:
        clock = emu.clock()
        assert (clock["mode"], clock["time_scale"]) == ("real", 10)
        assert emu.key("seven-credits")["balance"]["remaining"] == 7
        config_file = emu._config_file
        assert os.path.exists(config_file)
    assert not os.path.exists(config_file), "the temporary config file is removed on stop"


def test_a_bad_flag_fails_to_start_with_the_emulators_message():
    with pytest.raises(EmulatorError) as e:
        Emulator(clock="sideways")
    assert e.value.code == "start_failed"
    assert "exited with status 2" in e.value.message and "sideways" in e.value.message, e.value.message


def test_the_binary_is_found_from_the_argument_the_environment_or_path(monkeypatch, tmp_path):
    binary = os.environ["IMAGINE_EMU_BINARY"]
    assert find_binary(binary) == binary
    assert find_binary() == binary
    with pytest.raises(FileNotFoundError, match="binary="):
        find_binary(str(tmp_path / "nope"))
    monkeypatch.delenv("IMAGINE_EMU_BINARY")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="not on PATH"):
        find_binary()
    (tmp_path / "imagine-emu").symlink_to(binary)
    assert find_binary() == str(tmp_path / "imagine-emu")


def test_the_source_package_bundles_no_binary_so_path_is_next():
    # The platform wheel's own binary comes before PATH (tests/packaging/test-release checks that on the
    # installed wheel); this package, installed from sdk/python, carries none.
    assert bundled_binary() is None
    assert bundled_binary("imagine-conform") is None


def test_attaching_to_a_url_sees_the_same_emulator_and_does_not_stop_it(imagine_emu):
    task_id = _client.create_evolink(imagine_emu.url, KEY)
    with Emulator(url=imagine_emu.url + "/") as attached:
        assert attached.url == imagine_emu.url
        assert attached.task(task_id)["id"] == task_id
    assert imagine_emu.health()["status"] == "ok"
    with pytest.raises(TypeError, match="url= attaches"):
        Emulator(url=imagine_emu.url, seed=1)


def test_a_forgotten_emulator_is_stopped_when_collected():
    emu = Emulator()
    process = emu._process
    del emu  # no stop(): the finalizer ends the process
    assert process.wait(10) is not None


def test_the_admin_token_is_sent_on_every_call():
    with Emulator(admin_token="s3cret") as emu:
        assert emu.tasks() == []
        with pytest.raises(EmulatorError) as e:
            Emulator(url=emu.url).tasks()
        assert e.value.status == 401


def test_the_start_up_line_is_read_as_text_or_json():
    text = "imagine-emu 0.1.0 listening on http://127.0.0.1:4321 (public url http://x:1, clock virtual, seed 1)"
    assert Emulator._listening_url(text) == "http://127.0.0.1:4321"
    assert Emulator._listening_url('{"msg":"listening","url":"http://127.0.0.1:99","public_url":"http://a:1"}') \
        == "http://127.0.0.1:99"
    assert Emulator._listening_url("seed 1") is None


# ---- reset, clock, tasks ---------------------------------------------------------------------------------
def test_assert_created_counts_tasks_and_reset_forgets_one_key_or_all(imagine_emu):
    _client.create_evolink(imagine_emu.url, KEY)
    _client.create_apikley(imagine_emu.url, KEY)
    _client.create_evolink(imagine_emu.url, "other-key")
    imagine_emu.assert_created(2, key=KEY)
    imagine_emu.assert_created(1, key=KEY, provider="apikley")
    imagine_emu.assert_created(3)
    with pytest.raises(AssertionError, match=r"expected 1 task\(s\) created for key=sdk-test-key, found 2"):
        imagine_emu.assert_created(1, key=KEY)
    assert imagine_emu.reset(key=KEY) == 2
    imagine_emu.assert_created(0, key=KEY)
    imagine_emu.assert_created(1)
    assert imagine_emu.reset() == 1
    imagine_emu.assert_created(0)


def test_advance_moves_the_virtual_clock(imagine_emu):
    before = imagine_emu.clock()["now_ms"]
    assert imagine_emu.advance(10)["now_ms"] == before + 10000
    assert imagine_emu.clock()["now_ms"] == before + 10000


def test_wait_until_terminal_advances_a_virtual_clock_to_the_planned_finish(imagine_emu):
    task_id = _client.create_evolink(imagine_emu.url, KEY)
    assert imagine_emu.task(task_id)["state"] == "waiting"
    task = imagine_emu.wait_until_terminal(task_id, timeout=5)
    assert task["state"] == "succeeded"
    assert [h["state"] for h in task["history"]] == ["waiting", "queuing", "generating", "succeeded"]
    assert task["results"] and task["results"][0].endswith(".mp4")
    assert _client.query_evolink(imagine_emu.url, KEY, task_id)["status"] == "completed"


def test_wait_until_terminal_gives_up_on_a_stuck_task(imagine_emu):
    task_id = _client.create_evolink(imagine_emu.url, KEY, headers={"X-Emulator-Scenario": "stuck"})
    with pytest.raises(TimeoutError, match=r"still waiting after 0.3 s \(no planned finish: stuck\?\)"):
        imagine_emu.wait_until_terminal(task_id, timeout=0.3)


def test_complete_fail_advance_and_cancel_act_on_running_tasks(imagine_emu):
    done = _client.create_evolink(imagine_emu.url, KEY)
    assert imagine_emu.complete(done)["state"] == "succeeded"
    failed = _client.create_apikley(imagine_emu.url, KEY)
    task = imagine_emu.fail(failed, code="E42", message="the GPU melted")
    assert task["state"] == "failed"
    assert (task["failure"]["code"], task["failure"]["message"]) == ("E42", "the GPU melted")
    record = _client.query_apikley(imagine_emu.url, KEY, failed)["data"]
    assert (record["state"], record["failCode"], record["failMsg"]) == ("fail", "E42", "the GPU melted")
    stepped = _client.create_evolink(imagine_emu.url, KEY)
    assert imagine_emu.advance_task(stepped)["state"] == "queuing"
    assert imagine_emu.cancel(stepped)["state"] == "failed"
    assert imagine_emu.task(stepped)["failure"]["reason"] == "request_cancelled"
    with pytest.raises(EmulatorError) as e:
        imagine_emu.complete(done)
    assert e.value.status == 409
    with pytest.raises(EmulatorError) as e:
        imagine_emu.task("no-such-task")
    assert (e.value.status, e.value.code) == (404, "not_found")


# ---- scenarios and keys ----------------------------------------------------------------------------------
def test_scenario_arms_a_rule_for_one_key_and_the_first_n_requests(imagine_emu):
    rule = imagine_emu.scenario("maintenance", key=KEY, times=1, endpoint="create")
    assert rule["id"] >= 1 and rule["scenario"] == "maintenance" and rule["times"] == 1
    body = {"model": "grok-imagine-text-to-video", "prompt": "x"}
    assert _client.call(imagine_emu.url, "POST", "/v1/videos/generations", "other-key", body)[0] == 200
    assert _client.call(imagine_emu.url, "POST", "/v1/videos/generations", KEY, body)[0] == 503
    assert _client.call(imagine_emu.url, "POST", "/v1/videos/generations", KEY, body)[0] == 200
    imagine_emu.assert_created(1, key=KEY)


def test_scenario_keywords_are_the_scenarios_parameters(imagine_emu):
    rule = imagine_emu.scenario("generation_failed", key=KEY, fail_at="queuing")
    assert rule["scenario"] == "generation_failed;fail_at=queuing"
    task = imagine_emu.wait_until_terminal(_client.create_evolink(imagine_emu.url, KEY))
    assert task["state"] == "failed"
    assert [h["state"] for h in task["history"]] == ["waiting", "queuing", "failed"]
    assert imagine_emu.clear_scenarios() == 1
    assert imagine_emu.scenarios()["rules"] == []


def test_set_key_replaces_the_profile_and_the_balance(imagine_emu):
    account = imagine_emu.set_key(KEY, credits=5, user_group="vip")
    assert account["profile"]["user_group"] == "vip" and account["balance"]["remaining"] == 5
    status, body = _client.call(imagine_emu.url, "POST", "/api/v1/jobs/createTask", KEY,
                                {"model": "grok-imagine/text-to-video", "input": {"prompt": "x"}})
    assert body["code"] == 402, body  # text-to-video costs 10
    imagine_emu.assert_created(0, key=KEY)
    assert imagine_emu.key(KEY)["balance"]["remaining"] == 5
    with pytest.raises(EmulatorError) as e:
        imagine_emu.set_key(KEY, credits=-1)
    assert e.value.status == 400


# ---- journal, callbacks, assertions ----------------------------------------------------------------------
def test_journal_filters_and_pages(imagine_emu):
    task_id = _client.create_evolink(imagine_emu.url, KEY)
    _client.create_evolink(imagine_emu.url, "other-key")
    for _ in range(3):
        _client.query_evolink(imagine_emu.url, KEY, task_id)
    requests = imagine_emu.journal(kind="request", key=KEY)
    assert [e["operation"] for e in requests] == ["createVideoGeneration"] + ["getTaskDetail"] * 3
    assert all(e["key"] == "…-key" and e["task_id"] == task_id for e in requests)
    states = imagine_emu.journal(kind="state", task_id=task_id)
    assert [e["state"]["state"] for e in states] == ["waiting"]
    assert len(imagine_emu.journal(limit=2)) == 2
    assert imagine_emu.journal(since=requests[-1]["seq"], key=KEY) == []


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        _Receiver.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_callbacks_lists_the_attempts_of_a_task(imagine_emu):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hook = "http://127.0.0.1:%d/hook" % server.server_address[1]
        task_id = _client.create_apikley(imagine_emu.url, KEY, callback_url=hook)
        other = _client.create_apikley(imagine_emu.url, KEY, callback_url=hook)
        imagine_emu.complete(task_id)
        imagine_emu.complete(other)
        deadline = time.monotonic() + 10  # delivery runs on the emulator's worker threads
        while len(imagine_emu.callbacks()) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        attempts = imagine_emu.callbacks(task_id=task_id)
        assert [(a["task_id"], a["url"], a["outcome"], a["status"]) for a in attempts] == \
            [(task_id, hook, "delivered", 200)]
        assert len(imagine_emu.callbacks()) == 2
        assert task_id in [b["data"]["taskId"] for b in _Receiver.bodies]
    finally:
        server.shutdown()
        server.server_close()


def test_assert_no_query_after_terminal(imagine_emu):
    task_id = _client.create_apikley(imagine_emu.url, KEY)
    _client.query_apikley(imagine_emu.url, KEY, task_id)   # generating: fine
    imagine_emu.complete(task_id)
    imagine_emu.assert_no_query_after_terminal(task_id)    # no query saw it yet
    _client.query_apikley(imagine_emu.url, KEY, task_id)   # sees success: the last query a client needs
    imagine_emu.assert_no_query_after_terminal(task_id)
    _client.query_apikley(imagine_emu.url, KEY, task_id)   # one too many
    with pytest.raises(AssertionError, match=r"1 status query for task \w+ after seq \d+ saw it succeeded"):
        imagine_emu.assert_no_query_after_terminal(task_id)
    evo = _client.create_evolink(imagine_emu.url, KEY)
    imagine_emu.fail(evo)
    for _ in range(3):
        _client.query_evolink(imagine_emu.url, KEY, evo)
    with pytest.raises(AssertionError, match="2 status queries .* saw it failed"):
        imagine_emu.assert_no_query_after_terminal(evo)


def test_terminal_seen_reads_both_providers_answers():
    def query(provider, body):
        return {"kind": "request", "operation": "getTaskDetail", "provider": provider, "response_body": json.dumps(body)}
    assert terminal_seen(query("apikley", {"code": 200, "data": {"state": "success"}})) == "succeeded"
    assert terminal_seen(query("apikley", {"code": 200, "data": {"state": "generating"}})) is None
    assert terminal_seen(query("apikley", {"code": 422, "msg": "recordInfo is null", "data": None})) is None
    assert terminal_seen(query("evolink", {"status": "failed"})) == "failed"
    assert terminal_seen(query("evolink", {"status": "processing"})) is None
    assert terminal_seen(dict(query("evolink", {"status": "completed"}), operation="createVideoGeneration")) is None
