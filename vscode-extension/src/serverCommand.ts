// Which program runs the language server. Pure logic (the file system is passed in) so that every
// rule is unit-tested without VS Code.

import * as path from "node:path";

export interface ServerSettings {
  /** `koncierge.server.command`: the full command, e.g. ["koncierge", "lsp"]. */
  command: readonly string[];
  /** `koncierge.server.pythonPath`: a Python interpreter that has Koncierge installed. */
  pythonPath: string;
}

export interface Environment {
  workspaceFolders: readonly string[];
  platform: NodeJS.Platform;
  /** The PATH to look programs up in. */
  searchPath: string;
  isFile(filePath: string): boolean;
}

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, in words, for the log and the status bar. */
  origin: string;
  /** How to run the `koncierge` command line with the same installation (for Build). */
  cli: { command: string; args: string[] };
}

export interface ServerNotFound {
  reason: string;
  remedy: string;
}

export const VIRTUAL_ENVIRONMENT_FOLDERS = [".venv", "venv", ".env", "env"];

function scriptsFolder(platform: NodeJS.Platform): string {
  return platform === "win32" ? "Scripts" : "bin";
}

function executableName(name: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? `${name}.exe` : name;
}

export function findOnPath(name: string, environment: Environment): string | undefined {
  const separator = environment.platform === "win32" ? ";" : ":";
  for (const folder of environment.searchPath.split(separator)) {
    if (!folder) continue;
    const candidate = path.join(folder, executableName(name, environment.platform));
    if (environment.isFile(candidate)) return candidate;
  }
  return undefined;
}

function fromPython(python: string, origin: string): ServerCommand {
  return {
    command: python,
    args: ["-m", "koncierge_server"],
    origin,
    cli: { command: python, args: ["-m", "koncierge_lang"] },
  };
}

function fromKoncierge(koncierge: string, origin: string): ServerCommand {
  return { command: koncierge, args: ["lsp"], origin, cli: { command: koncierge, args: [] } };
}

/**
 * The first of: the `koncierge.server.command` setting, the `koncierge.server.pythonPath`
 * setting, a virtual environment in a workspace folder that has `koncierge` installed, and
 * `koncierge` on the PATH. The language client appends `--stdio` to the arguments.
 */
export function resolveServerCommand(
  settings: ServerSettings,
  environment: Environment,
): ServerCommand | ServerNotFound {
  const configured = settings.command.filter((part) => part.trim() !== "");
  if (configured.length > 0) {
    const [command, ...args] = configured;
    const koncierge = path.basename(command).replace(/\.exe$/i, "") === "koncierge";
    return {
      command,
      args,
      origin: "the koncierge.server.command setting",
      cli: koncierge ? { command, args: [] } : { command: "koncierge", args: [] },
    };
  }
  if (settings.pythonPath.trim() !== "") {
    return fromPython(settings.pythonPath.trim(), "the koncierge.server.pythonPath setting");
  }
  const scripts = scriptsFolder(environment.platform);
  for (const folder of environment.workspaceFolders) {
    for (const venv of VIRTUAL_ENVIRONMENT_FOLDERS) {
      const koncierge = path.join(folder, venv, scripts, executableName("koncierge", environment.platform));
      if (environment.isFile(koncierge)) {
        return fromKoncierge(koncierge, `the virtual environment ${path.join(folder, venv)}`);
      }
    }
  }
  const onPath = findOnPath("koncierge", environment);
  if (onPath) return fromKoncierge(onPath, "the PATH");
  return {
    reason: "no `koncierge` program was found (not in a .venv of the workspace, not on the PATH)",
    remedy:
      "Run `pip install koncierge` (or `make setup` in the Koncierge repository), " +
      "or set `koncierge.server.pythonPath` to a Python that has it installed.",
  };
}

export function isServerNotFound(value: ServerCommand | ServerNotFound): value is ServerNotFound {
  return (value as ServerNotFound).reason !== undefined;
}

/** What to tell the user when the server process could not start or stopped at once. */
export function explainStartFailure(
  server: ServerCommand,
  failure: { code?: string; exitCode?: number | null; stderr: string },
): ServerNotFound {
  const commandLine = [server.command, ...server.args].join(" ");
  if (failure.code === "ENOENT") {
    return {
      reason: `\`${server.command}\` does not exist (from ${server.origin})`,
      remedy:
        "Install Koncierge with `pip install koncierge` or fix `koncierge.server.command` / " +
        "`koncierge.server.pythonPath`.",
    };
  }
  if (failure.code === "EACCES") {
    return { reason: `\`${server.command}\` is not executable`, remedy: `Run \`chmod +x ${server.command}\`.` };
  }
  const lastLine =
    failure.stderr
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .pop() ?? "";
  const reason =
    `\`${commandLine} --stdio\` stopped` +
    (failure.exitCode !== undefined && failure.exitCode !== null ? ` with exit status ${failure.exitCode}` : "") +
    (lastLine ? `: ${lastLine}` : "");
  let remedy = `Run \`${commandLine} --stdio\` in a terminal to see the whole error.`;
  if (/No module named|ModuleNotFoundError/.test(failure.stderr)) {
    remedy = `Install Koncierge into that Python: \`${server.command} -m pip install koncierge\`.`;
  } else if (/invalid choice: 'lsp'|unrecognized arguments/.test(failure.stderr)) {
    remedy = "This Koncierge is too old for the editor: upgrade it with `pip install --upgrade koncierge`.";
  }
  return { reason, remedy };
}
