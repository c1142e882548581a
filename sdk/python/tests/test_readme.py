"""docs/sdk.md's pytest example, run as written against a stand-in for "my_client"."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[3] / "docs" / "sdk.md"

MY_CLIENT = '''
import json, time, urllib.error, urllib.request

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def _call(url, key, method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with _opener.open(req) as res:
            return res.status, json.load(res)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

def create(url, key, prompt):
    for attempt in range(3):
        status, body = _call(url, key, "POST", "/v1/videos/generations",
                             {"model": "grok-imagine-text-to-video", "prompt": prompt})
        if status != 503:
            return body["id"]
    raise RuntimeError("still under maintenance")

def wait(url, key, task_id):
    while True:
        task = _call(url, key, "GET", "/v1/tasks/" + task_id)[1]
        if task["status"] == "completed":
            return task["results"][0]
        time.sleep(0.01)
'''


def readme_example(language):
    text = README.read_text()
    match = re.search(r"<!-- example: %s .*?-->\n```\w+\n(.*?)```" % language, text, re.S)
    assert match, "docs/sdk.md has no <!-- example: %s --> block" % language
    return match.group(1)


def test_the_readme_pytest_example_passes(pytester):
    pytester.makepyfile(my_client=MY_CLIENT, test_video=readme_example("python"))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
