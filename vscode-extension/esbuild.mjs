// Bundles the extension (one CommonJS file, `vscode` left external) and, with --tests, the unit
// tests, which run under plain Node because they only import modules that do not need `vscode`.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
const tests = process.argv.includes("--tests");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
};

if (tests) {
  const entryPoints = readdirSync("test/unit")
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `test/unit/${name}`);
  await esbuild.build({ ...common, entryPoints, outdir: "out/test/unit", external: ["vscode"] });
} else {
  const options = {
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
  };
  if (watch) {
    const context = await esbuild.context(options);
    await context.watch();
  } else {
    await esbuild.build(options);
  }
}
