// Run by tests/packaging/test-release in a fresh Debian 12 root where the only imagine-emu is the
// one `npm i -D ./imagine-emu-<v>.tgz` installed (nothing on PATH): Emulator.start() runs the
// package's bundled binary, and a task goes create -> advance the virtual clock -> query -> MP4.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emulator, VERSION, bundledBinary, findBinary } from "imagine-emu";

const headers = { Authorization: "Bearer release-test", "Content-Type": "application/json" };

test("Emulator.start() runs the bundled binary: create, advance, query, download", async () => {
  assert.match(findBinary(), /node_modules\/imagine-emu\/bin\/imagine-emu$/);
  assert.equal(findBinary(), bundledBinary());
  const emu = await Emulator.start({ seed: 3 });
  try {
    assert.equal(await emu.version(), VERSION);
    const created = await (await fetch(emu.url + "/v1/videos/generations", {
      method: "POST", headers,
      body: JSON.stringify({ model: "grok-imagine-image-to-video-beta", prompt: "release test",
                             image_urls: ["https://example.com/cat.png"] }),
    })).json();
    await emu.advance(120);
    const record = await (await fetch(emu.url + "/v1/tasks/" + created.id, { headers })).json();
    assert.equal(record.status, "completed", JSON.stringify(record));
    const mp4 = Buffer.from(await (await fetch(record.results[0])).arrayBuffer());
    assert.equal(mp4.subarray(4, 8).toString("latin1"), "ftyp");
  } finally {
    await emu.stop();
  }
});
