"""A minimal provider client for the SDK's own tests: what "the code under test" would send."""
import json
import urllib.error
import urllib.request

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(base, method, path, key, body=None, headers=None):
    """(HTTP status, decoded JSON body) of one provider request."""
    data = None if body is None else json.dumps(body).encode()
    h = {"Authorization": "Bearer " + key}
    if data is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with _opener.open(req, timeout=10) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def create_evolink(base, key, prompt="a cat surfing", headers=None):
    status, body = call(base, "POST", "/v1/videos/generations", key,
                        {"model": "grok-imagine-text-to-video", "prompt": prompt}, headers)
    assert status == 200, (status, body)
    return body["id"]


def create_apikley(base, key, model="grok-imagine/text-to-video", callback_url=None):
    body = {"model": model, "input": {"prompt": "a dog skiing"}}
    if callback_url:
        body["callBackUrl"] = callback_url
    status, answer = call(base, "POST", "/api/v1/jobs/createTask", key, body)
    assert status == 200 and answer["code"] == 200, answer
    return answer["data"]["taskId"]


def query_evolink(base, key, task_id):
    return call(base, "GET", "/v1/tasks/" + task_id, key)[1]


def query_apikley(base, key, task_id):
    return call(base, "GET", "/api/v1/jobs/recordInfo?taskId=" + task_id, key)[1]
