// Turns sdk/node/package.json (the helper alone: the binary comes from PATH or IMAGINE_EMU_BINARY)
// into the release package's manifest, in the staging folder scripts/release packs: the same
// package with the self-contained binaries inside (bin/, share/imagine-emu/clients/), the commands
// `imagine-emu` and `imagine-conform` (npx), and Linux x64 only (npm refuses it elsewhere).
// One package, not esbuild's platform packages: `npm i ./imagine-emu-<v>.tgz` must work from the
// tarball alone (an optional dependency on @imagine-emu/linux-x64 would have to come from a
// registry), and one platform is built.
//   node packaging/npm/release-manifest.mjs STAGING/package.json
import fs from "node:fs";

const file = process.argv[2];
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.bin = { "imagine-emu": "bin/imagine-emu", "imagine-conform": "bin/imagine-conform" };
pkg.files = [...pkg.files, "bin/", "share/", "third-party/", "LICENSE"];
pkg.os = ["linux"];
pkg.cpu = ["x64"];
pkg.license = "MIT";
delete pkg.scripts;  // the tests stay in the repository
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
