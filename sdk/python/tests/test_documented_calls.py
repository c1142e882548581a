"""Every call of docs/sdk.md's table, with each keyword it documents, against the real binary.

One test per documented call (``pytest -k journal``), and one test that the table and this file list the same
calls, so a call documented later without a test here fails. Issue 24: the documented ``journal(path=...)``
raised ``TypeError: request() got multiple values for argument 'path'`` and no test called it that way.
"""
import pathlib
import re
import time

import pytest

import _client
from imagine_emu import Emulator, EmulatorError

DOC = pathlib.Path(__file__).resolve().parents[3] / "docs" / "sdk.md"
KEY = "documented-calls-key"


def _url(emu):
    assert emu.url.startswith("http://127.0.0.1:")


def _stop(emu):
    started = Emulator(seed=2)
    url = started.url
    started.stop()
    with pytest.raises(EmulatorError):
        Emulator(url=url).health()


def _with(emu):
    with Emulator(seed=2) as started:
        assert started.health()["status"] == "ok"
        url = started.url
    with pytest.raises(EmulatorError):
        Emulator(url=url).health()


def _reset(emu):
    _client.create_evolink(emu.url, KEY)
    _client.create_evolink(emu.url, "other-key")
    assert emu.reset(key=KEY) == 1
    assert emu.reset() == 1


def _clock(emu):
    assert emu.clock()["mode"] == "virtual"


def _advance(emu):
    before = emu.clock()["now_ms"]
    assert emu.advance(2.5)["now_ms"] == before + 2500


def _scenario(emu):
    rule = emu.scenario("slow", key=KEY, times=2, provider="evolink", endpoint="create",
                        model="grok-imagine-text-to-video", prompt_contains="cat", factor=3)
    assert (rule["scenario"], rule["key"], rule["times"], rule["provider"], rule["endpoint"], rule["model"],
            rule["prompt_contains"]) == ("slow;factor=3", KEY, 2, "evolink", "create", "grok-imagine-text-to-video",
                                         "cat")
    timed = emu.scenario("maintenance", provider="apikley", seconds=30)
    assert (timed["for_s"], timed["remaining_s"]) == (30, 30)


def _clear_scenarios(emu):
    emu.scenario("maintenance", key=KEY)
    assert emu.clear_scenarios() == 1


def _set_key(emu):
    account = emu.set_key(KEY, credits=7, user_group="vip")
    assert (account["profile"]["credits"], account["balance"]["remaining"]) == (7, 7)


def _key(emu):
    emu.set_key(KEY, credits=9)
    assert emu.key(KEY)["balance"]["remaining"] == 9


def _task(emu):
    task_id = _client.create_evolink(emu.url, KEY)
    assert emu.task(task_id)["id"] == task_id


def _tasks(emu):
    evo = _client.create_evolink(emu.url, KEY)
    _client.create_apikley(emu.url, KEY)
    found = emu.tasks(provider="evolink", key=KEY, model="grok-imagine-text-to-video", state="waiting", limit=10)
    assert [t["id"] for t in found] == [evo]


def _complete(emu):
    assert emu.complete(_client.create_evolink(emu.url, KEY))["state"] == "succeeded"


def _fail(emu):
    task = emu.fail(_client.create_evolink(emu.url, KEY), code="E1", message="no")
    assert (task["state"], task["failure"]["code"], task["failure"]["message"]) == ("failed", "E1", "no")


def _advance_task(emu):
    assert emu.advance_task(_client.create_evolink(emu.url, KEY))["state"] == "queuing"


def _cancel(emu):
    assert emu.cancel(_client.create_evolink(emu.url, KEY))["failure"]["reason"] == "request_cancelled"


def _wait_until_terminal(emu):
    assert emu.wait_until_terminal(_client.create_evolink(emu.url, KEY), timeout=30)["state"] == "succeeded"


def _journal(emu):
    task_id = _client.create_evolink(emu.url, KEY)
    _client.query_evolink(emu.url, KEY, task_id)
    path = "/v1/tasks/" + task_id
    entries = emu.journal(kind="request", path=path, key=KEY, task_id=task_id, status=200, since=0, limit=10)
    assert [e["path"] for e in entries] == [path]
    assert [e["path"] for e in emu.journal(path="/v1/*")] == ["/v1/videos/generations", path]


def _callbacks(emu):
    task_id = _client.create_apikley(emu.url, KEY, callback_url="http://127.0.0.1:9/hook")
    emu.complete(task_id)
    deadline = time.monotonic() + 60  # delivery runs on the emulator's workers; the cap only ends a hang
    while not emu.callbacks(task_id=task_id) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [a["task_id"] for a in emu.callbacks(task_id=task_id)] == [task_id]
    assert task_id in [a["task_id"] for a in emu.callbacks()]


def _assert_created(emu):
    _client.create_evolink(emu.url, KEY)
    emu.assert_created(1, key=KEY)
    with pytest.raises(AssertionError):
        emu.assert_created(2, key=KEY)


def _assert_no_query_after_terminal(emu):
    task_id = _client.create_evolink(emu.url, KEY)
    emu.complete(task_id)
    _client.query_evolink(emu.url, KEY, task_id)
    emu.assert_no_query_after_terminal(task_id)
    # xAI's status queries too (getVideoGeneration, status done): a second query after "done" is caught.
    xai_id = _client.call(emu.base_url("xai"), "POST", "/videos/generations", KEY, XAI_BODY)[1]["request_id"]
    emu.complete(xai_id)
    _client.call(emu.base_url("xai"), "GET", "/videos/" + xai_id, KEY)
    emu.assert_no_query_after_terminal(xai_id)
    _client.call(emu.base_url("xai"), "GET", "/videos/" + xai_id, KEY)
    with pytest.raises(AssertionError):
        emu.assert_no_query_after_terminal(xai_id)


XAI_BODY = {"model": "grok-imagine-video", "prompt": "a cat surfing"}
EVOLINK_BODY = {"model": "grok-imagine-text-to-video", "prompt": "a cat surfing"}


def _outage(emu):
    made = emu.outage("evolink", kind="maintenance", seconds=60, requests=2)
    assert (made["outage"]["provider"], made["outage"]["kind"], made["outage"]["remaining_s"],
            made["outage"]["remaining_requests"]) == ("evolink", "maintenance", 60, 2)
    assert made["rules"][0]["outage"] == "maintenance"
    status, body = _client.call(emu.base_url("evolink"), "POST", "/v1/videos/generations", KEY, EVOLINK_BODY)
    assert (status, body["error"]["code"]) == (503, "service_unavailable")
    _client.create_apikley(emu.url, KEY)  # the other providers work
    emu.outage("xai", kind="failing")
    # Listed before the wait below moves the virtual clock through an xAI task (36-54 s).
    assert [o["provider"] for o in emu.outages()] == ["evolink", "xai"]
    status, body = _client.call(emu.base_url("xai"), "POST", "/videos/generations", KEY, XAI_BODY)
    assert status == 200, body
    assert emu.wait_until_terminal(body["request_id"])["state"] == "failed"
    with pytest.raises(EmulatorError) as refused:
        emu.outage("acme")
    assert (refused.value.status, refused.value.code) == (400, "invalid_argument")


def _outages(emu):
    emu.outage("apikley", kind="server_error", seconds=30)
    emu.advance(10)
    [listed] = emu.outages()
    assert (listed["provider"], listed["kind"], listed["remaining_s"]) == ("apikley", "server_error", 20)
    emu.advance(20)
    assert emu.outages() == []


def _restore(emu):
    emu.outage("apikley")
    emu.outage("evolink", kind="rate_limited")
    assert emu.restore("apikley") == 1
    assert [o["provider"] for o in emu.outages()] == ["evolink"]
    assert emu.restore() == 1
    assert emu.outages() == []


def _base_url(emu):
    assert emu.base_url("xai") == emu.url + "/xai/v1"
    assert emu.base_url("apikley") == emu.url + "/apikley"
    status, body = _client.call(emu.base_url("xai"), "POST", "/videos/generations", KEY, XAI_BODY)
    assert status == 200 and body["request_id"]
    with pytest.raises(ValueError):
        emu.base_url("acme")


CALLS = {
    "url": _url, "stop": _stop, "with": _with, "reset": _reset, "clock": _clock, "advance": _advance,
    "scenario": _scenario, "clear_scenarios": _clear_scenarios, "set_key": _set_key, "key": _key, "task": _task,
    "tasks": _tasks, "complete": _complete, "fail": _fail, "advance_task": _advance_task, "cancel": _cancel,
    "wait_until_terminal": _wait_until_terminal, "journal": _journal, "callbacks": _callbacks,
    "assert_created": _assert_created, "assert_no_query_after_terminal": _assert_no_query_after_terminal,
    "outage": _outage, "outages": _outages, "restore": _restore, "base_url": _base_url,
}


def documented_calls(column):
    """The call names in one column of docs/sdk.md's SDK table (0: Python, 1: Node)."""
    text = DOC.read_text()
    start = text.index("| Python (`Emulator(")
    rows = text[start:].split("\n\n", 1)[0].splitlines()[2:]
    names = set()
    for row in rows:
        cell = row.strip("|").split(" | ")[column]
        names.update(re.findall(r"`(\w+)", cell))
    return names


def test_the_table_documents_exactly_the_calls_tested_here():
    assert documented_calls(0) == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_documented_call(imagine_emu, name):
    CALLS[name](imagine_emu)
