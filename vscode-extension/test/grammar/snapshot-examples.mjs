// Snapshot tests of the colouring of the real example files (../examples/*/*.kon): the examples
// are copied next to their committed snapshots and compared with `vscode-tmgrammar-snap`.
// `node test/grammar/snapshot-examples.mjs --update` rewrites the snapshots (review the diff).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, "..", "..");
const examples = join(extension, "..", "examples");
const snapshots = join(here, "examples");
mkdirSync(snapshots, { recursive: true });

const copies = [];
for (const folder of readdirSync(examples, { withFileTypes: true })) {
  if (!folder.isDirectory()) continue;
  for (const file of readdirSync(join(examples, folder.name))) {
    if (!file.endsWith(".kon")) continue;
    const copy = join(snapshots, `${folder.name}-${file}`);
    copyFileSync(join(examples, folder.name, file), copy);
    copies.push(copy);
  }
}
if (copies.length === 0) {
  console.error("No example .kon files found under", examples);
  process.exit(1);
}
const missing = copies.filter((copy) => !existsSync(`${copy}.snap`));
const update = process.argv.includes("--update");
if (missing.length > 0 && !update) {
  console.error(`No snapshot for ${missing.join(", ")}: run node test/grammar/snapshot-examples.mjs --update`);
  process.exit(1);
}
const result = spawnSync(
  join(extension, "node_modules", ".bin", "vscode-tmgrammar-snap"),
  ["-g", join(extension, "syntaxes", "koncierge.tmLanguage.json"), ...(update ? ["--updateSnapshot"] : []), ...copies],
  { stdio: "inherit", cwd: extension },
);
process.exit(result.status ?? 1);
