import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { debounce, environmentNames } from "../../src/documentFacts";
import { manifestsText } from "../../src/manifestsText";
import { DIAGRAM_VIEWS, KonciergeRequests } from "../../src/protocol";

test("the environments of the To Do example, in order", () => {
  const todo = readFileSync(join(__dirname, "..", "..", "..", "..", "examples", "todo", "todo.kon"), "utf8");
  assert.deepEqual(environmentNames(todo), ["LOCAL", "DEV", "INT", "PERF", "PROD"]);
});

test("environments in comments and strings are not environments", () => {
  const text = '# environment OLD "x"\napplication a "environment FAKE" {\n  environment STAGING like PROD "s.example.com"\n}';
  assert.deepEqual(environmentNames(text), ["STAGING"]);
});

test("debounce runs once, after the last call", async () => {
  const calls: number[] = [];
  const debounced = debounce((value: number) => calls.push(value), () => 20);
  debounced.call(1);
  debounced.call(2);
  debounced.call(3);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(calls, [3]);
  debounced.call(4);
  debounced.cancel();
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.deepEqual(calls, [3]);
});

test("manifests text is read from each documented result shape", () => {
  assert.equal(manifestsText("a: 1\n", "PROD"), "a: 1\n");
  assert.equal(manifestsText({ yaml: "b: 2\n" }, "PROD"), "b: 2\n");
  assert.equal(manifestsText({ environments: { PROD: { yaml: "c: 3\n" } } }, "PROD"), "c: 3\n");
  assert.equal(manifestsText({ environments: [{ env: "DEV", yaml: "x" }, { env: "PROD", yaml: "d: 4\n" }] }, "PROD"), "d: 4\n");
  assert.equal(manifestsText({ nothing: true }, "PROD"), undefined);
});

test("the request names and views are the documented ones", () => {
  assert.equal(KonciergeRequests.diagram, "koncierge/diagram");
  assert.deepEqual([...DIAGRAM_VIEWS], ["requirements", "architecture", "kubernetes"]);
});
