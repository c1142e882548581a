"""Run by tests/packaging/test-release in a fresh Debian 12 root where the only imagine-emu is the one
the wheel installed (nothing on PATH): the plugin's fixture starts the wheel's bundled binary, and a
task goes create -> advance the virtual clock -> query -> MP4 download."""
import json
import os
import urllib.request

import imagine_emu as package

AUTH = {"Authorization": "Bearer release-test", "Content-Type": "application/json"}


def call(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=AUTH), timeout=30) as answer:
        return answer.read()


def test_the_fixture_runs_the_bundled_binary(imagine_emu):
    binary = package.find_binary()
    assert binary.endswith(os.path.join("imagine_emu", "_bundle", "bin", "imagine-emu")), binary
    assert imagine_emu.version() == package.__version__
    assert imagine_emu.is_virtual()


def test_create_advance_query_download(imagine_emu):
    created = json.loads(call(imagine_emu.url + "/v1/videos/generations", {
        "model": "grok-imagine-image-to-video-beta", "prompt": "release test",
        "image_urls": ["https://example.com/cat.png"]}))
    imagine_emu.advance(120)
    record = json.loads(call(imagine_emu.url + "/v1/tasks/" + created["id"]))
    assert record["status"] == "completed", record
    mp4 = call(record["results"][0])
    assert mp4[4:8] == b"ftyp", mp4[:16]

