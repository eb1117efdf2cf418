// The TextMate grammar and grammar/koncierge.lark must name the same keywords: a keyword added to
// the language without colouring, or coloured but no longer in the language, fails here.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const extensionRoot = join(__dirname, "..", "..", "..");
const lark = readFileSync(join(extensionRoot, "..", "grammar", "koncierge.lark"), "utf8");
const tmLanguage = JSON.parse(readFileSync(join(extensionRoot, "syntaxes", "koncierge.tmLanguage.json"), "utf8"));

/** Every quoted literal of the Lark grammar that is a word (not `{`, `->`, `=` ...). */
function larkKeywords(): Set<string> {
  const withoutComments = lark
    .split("\n")
    .map((line) => line.replace(/\/\/.*$/, ""))
    .join("\n");
  const keywords = new Set<string>();
  for (const match of withoutComments.matchAll(/"([^"\\]*)"/g)) {
    if (/^[a-z][a-z0-9-]*$/.test(match[1])) keywords.add(match[1]);
  }
  return keywords;
}

/** Every regex source in the TextMate grammar, at any depth. */
function regexSources(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) regexSources(item, found);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if ((key === "match" || key === "begin") && typeof value === "string") found.push(value);
      else regexSources(value, found);
    }
  }
  return found;
}

/** The words in alternations such as `(constant|secret|value)`: what the grammar treats as keywords. */
function tmKeywords(): Set<string> {
  const keywords = new Set<string>();
  for (const source of regexSources(tmLanguage)) {
    for (const group of source.matchAll(/\((?:\?:)?([a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*)\)/g)) {
      for (const word of group[1].split("|")) keywords.add(word);
    }
  }
  return keywords;
}

test("the Lark grammar has the keywords this test expects to find", () => {
  const keywords = larkKeywords();
  for (const keyword of ["application", "component", "route", "read-only", "generated"]) assert.ok(keywords.has(keyword), keyword);
});

test("every keyword of grammar/koncierge.lark is coloured by the TextMate grammar", () => {
  const missing = [...larkKeywords()].filter((keyword) => !tmKeywords().has(keyword)).sort();
  assert.deepEqual(missing, [], `keywords missing from syntaxes/koncierge.tmLanguage.json: ${missing.join(", ")}`);
});

test("the TextMate grammar colours no word that is not a keyword of grammar/koncierge.lark", () => {
  const extra = [...tmKeywords()].filter((keyword) => !larkKeywords().has(keyword)).sort();
  assert.deepEqual(extra, [], `words coloured as keywords but not in the Lark grammar: ${extra.join(", ")}`);
});

test("every keyword is in the catch-all keyword rules, so it is coloured even without a name after it", () => {
  const catchAll = new Set<string>();
  for (const pattern of tmLanguage.repository.keywords.patterns as { match: string }[]) {
    for (const word of /\(([^)]*)\)\(\?!/.exec(pattern.match)![1].split("|")) catchAll.add(word);
  }
  const missing = [...larkKeywords()].filter((keyword) => !catchAll.has(keyword)).sort();
  assert.deepEqual(missing, []);
});

// With semantic highlighting on, VS Code colours the server's `keyword` tokens by the scope
// `keyword.control` unless the extension maps them (semanticTokenScopes): most themes colour
// `keyword.control` differently from the `keyword.declaration.*` / `keyword.other.*` scopes this
// grammar gives, so keywords changed colour when the server's tokens arrived.
test("the server's keyword tokens are coloured with a scope the TextMate grammar gives keywords", () => {
  const manifest = JSON.parse(readFileSync(join(extensionRoot, "package.json"), "utf8"));
  const entries = (manifest.contributes.semanticTokenScopes ?? []) as { language?: string; scopes: Record<string, string[]> }[];
  const scopes = entries.find((entry) => entry.language === "koncierge")?.scopes.keyword ?? [];
  assert.ok(scopes.length > 0, "package.json maps no scope to the semantic token type `keyword` for koncierge");
  const names = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "name" && typeof value === "string") names.add(value);
        else collect(value);
      }
    }
  };
  collect(tmLanguage.repository);
  for (const scope of scopes) {
    assert.ok(!scope.startsWith("keyword.control"), `${scope}: themes colour control-flow keywords apart`);
    assert.ok(names.has(scope), `${scope} is not a scope the TextMate grammar gives keywords`);
  }
});
