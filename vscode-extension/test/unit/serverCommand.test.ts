import { strict as assert } from "node:assert";
import { test } from "node:test";
import { explainStartFailure, isServerNotFound, resolveServerCommand, ServerCommand } from "../../src/serverCommand";

function environment(files: string[], searchPath = "/usr/bin:/bin") {
  return { workspaceFolders: ["/work/project"], platform: "linux" as const, searchPath, isFile: (file: string) => files.includes(file) };
}

const noSettings = { command: [], pythonPath: "" };

test("the command setting wins over everything and is used as given", () => {
  const resolved = resolveServerCommand(
    { command: ["/opt/kon/bin/koncierge", "lsp"], pythonPath: "/usr/bin/python3" },
    environment(["/work/project/.venv/bin/koncierge"]),
  );
  assert.ok(!isServerNotFound(resolved));
  assert.deepEqual([resolved.command, resolved.args], ["/opt/kon/bin/koncierge", ["lsp"]]);
  assert.deepEqual(resolved.cli, { command: "/opt/kon/bin/koncierge", args: [] });
});

test("pythonPath runs the server module and the command line module", () => {
  const resolved = resolveServerCommand({ command: [], pythonPath: " /usr/bin/python3 " }, environment([]));
  assert.ok(!isServerNotFound(resolved));
  assert.deepEqual([resolved.command, resolved.args], ["/usr/bin/python3", ["-m", "koncierge_server"]]);
  assert.deepEqual(resolved.cli, { command: "/usr/bin/python3", args: ["-m", "koncierge_lang"] });
});

test("the workspace's .venv is found by itself, before the PATH", () => {
  const resolved = resolveServerCommand(noSettings, environment(["/work/project/.venv/bin/koncierge", "/usr/bin/koncierge"]));
  assert.ok(!isServerNotFound(resolved));
  assert.equal(resolved.command, "/work/project/.venv/bin/koncierge");
  assert.deepEqual(resolved.args, ["lsp"]);
  assert.match(resolved.origin, /virtual environment/);
});

test("a venv folder named venv is found too", () => {
  const resolved = resolveServerCommand(noSettings, environment(["/work/project/venv/bin/koncierge"]));
  assert.ok(!isServerNotFound(resolved));
  assert.equal(resolved.command, "/work/project/venv/bin/koncierge");
});

test("koncierge on the PATH is the last resort", () => {
  const resolved = resolveServerCommand(noSettings, environment(["/usr/local/bin/koncierge"], "/usr/local/bin:/usr/bin"));
  assert.ok(!isServerNotFound(resolved));
  assert.equal(resolved.command, "/usr/local/bin/koncierge");
  assert.equal(resolved.origin, "the PATH");
});

test("nothing found says why and what to run", () => {
  const resolved = resolveServerCommand(noSettings, environment([]));
  assert.ok(isServerNotFound(resolved));
  assert.match(resolved.reason, /no `koncierge` program/);
  assert.match(resolved.remedy, /pip install koncierge/);
  assert.match(resolved.remedy, /koncierge\.server\.pythonPath/);
});

const server: ServerCommand = {
  command: "/usr/bin/python3",
  args: ["-m", "koncierge_server"],
  origin: "the koncierge.server.pythonPath setting",
  cli: { command: "/usr/bin/python3", args: ["-m", "koncierge_lang"] },
};

test("a missing program is explained", () => {
  const failure = explainStartFailure(server, { code: "ENOENT", stderr: "" });
  assert.match(failure.reason, /does not exist/);
  assert.match(failure.reason, /pythonPath/);
});

test("a Python without Koncierge is told to install it", () => {
  const failure = explainStartFailure(server, {
    exitCode: 1,
    stderr: "Traceback...\n/usr/bin/python3: No module named koncierge_server\n",
  });
  assert.match(failure.reason, /exit status 1: \/usr\/bin\/python3: No module named koncierge_server/);
  assert.equal(failure.remedy, "Install Koncierge into that Python: `/usr/bin/python3 -m pip install koncierge`.");
});

test("an old koncierge without the lsp command is told to upgrade", () => {
  const failure = explainStartFailure(
    { ...server, command: "koncierge", args: ["lsp"] },
    { exitCode: 2, stderr: "koncierge: error: argument COMMAND: invalid choice: 'lsp'" },
  );
  assert.match(failure.remedy, /upgrade/);
});
