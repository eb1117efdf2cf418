// Starts, restarts and watches the language server, and shows its state in the status bar.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  State,
} from "vscode-languageclient/node";
import {
  explainStartFailure,
  findOnPath,
  isServerNotFound,
  resolveServerCommand,
  ServerCommand,
  ServerNotFound,
} from "./serverCommand";

const STDERR_KEPT = 8192;

function isFile(filePath: string): boolean {
  try {
    return fs.statSync(filePath).isFile();
  } catch {
    return false;
  }
}

export class KonciergeClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private server: ServerCommand | undefined;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  /** Fires when the client starts or stops, so that views redraw. */
  readonly onDidChangeState = this.stateEmitter.event;
  private stderrTail = "";
  private spawnFailure: { code?: string; exitCode?: number | null } | undefined;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.statusBar = vscode.window.createStatusBarItem("koncierge.status", vscode.StatusBarAlignment.Left, 0);
    this.statusBar.name = "Koncierge";
    this.statusBar.command = "koncierge.showOutput";
    this.setStatus("starting");
  }

  get languageClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  get serverCommand(): ServerCommand | undefined {
    return this.server;
  }

  private setStatus(state: "starting" | "running" | "stopped", detail?: string): void {
    const icon = { starting: "$(sync~spin)", running: "$(check)", stopped: "$(error)" }[state];
    this.statusBar.text = `${icon} Koncierge`;
    const words = { starting: "starting", running: "running", stopped: "not running" }[state];
    this.statusBar.tooltip = `Koncierge language server: ${words}${detail ? ` (${detail})` : ""}. Click for its log.`;
    this.statusBar.backgroundColor =
      state === "stopped" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.statusBar.show();
  }

  /** The command the settings and the workspace give; re-read at every (re)start. */
  resolve(): ServerCommand | ServerNotFound {
    const configuration = vscode.workspace.getConfiguration("koncierge.server");
    const commandSetting = configuration.get<string[] | string>("command", []);
    return resolveServerCommand(
      {
        command: Array.isArray(commandSetting) ? commandSetting : commandSetting.split(/\s+/),
        pythonPath: configuration.get<string>("pythonPath", ""),
      },
      {
        // A workspace's own virtual environment is code from the workspace: only when it is trusted.
        workspaceFolders: vscode.workspace.isTrusted ? (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath) : [],
        platform: process.platform,
        searchPath: process.env.PATH ?? "",
        isFile,
      },
    );
  }

  async start(): Promise<void> {
    const resolved = this.resolve();
    if (isServerNotFound(resolved)) {
      this.server = undefined;
      this.setStatus("stopped", resolved.reason);
      this.output.error(`Cannot start the language server: ${resolved.reason}. ${resolved.remedy}`);
      void this.notify(resolved);
      return;
    }
    this.server = resolved;
    const server = resolved;
    // A missing program is explained here, before the language client adds its own stack trace.
    const exists = /[\\/]/.test(server.command)
      ? isFile(server.command)
      : findOnPath(server.command, { workspaceFolders: [], platform: process.platform, searchPath: process.env.PATH ?? "", isFile }) !== undefined;
    if (!exists) {
      const failure = explainStartFailure(server, { code: "ENOENT", stderr: "" });
      this.setStatus("stopped", failure.reason);
      this.output.error(`Cannot start the language server: ${failure.reason}. ${failure.remedy}`);
      void this.notify(failure);
      return;
    }
    this.setStatus("starting");
    this.output.info(`Starting the language server from ${server.origin}: ${[server.command, ...server.args].join(" ")} --stdio`);

    const serverOptions = async () => {
      this.stderrTail = "";
      this.spawnFailure = undefined;
      const child = spawn(server.command, [...server.args, "--stdio"], {
        cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
        env: { ...process.env, PYTHONUNBUFFERED: "1" },
      });
      child.stderr.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        // The language client copies standard error into the output channel itself; keep the
        // end of it to say why the server stopped.
        this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEPT);
      });
      child.on("exit", (exitCode) => {
        this.spawnFailure = { ...this.spawnFailure, exitCode };
      });
      await new Promise<void>((resolveSpawn, rejectSpawn) => {
        child.once("spawn", () => resolveSpawn());
        child.once("error", (error: NodeJS.ErrnoException) => {
          this.spawnFailure = { code: error.code };
          rejectSpawn(error);
        });
      });
      return child;
    };

    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "koncierge" },
        { scheme: "untitled", language: "koncierge" },
        // The platform settings beside a .kon file: the server checks them as they are typed.
        { scheme: "file", pattern: "**/koncierge.toml" },
      ],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationFailedHandler: () => false,
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          this.setStatus("stopped", "the server stopped");
          void this.notify(explainStartFailure(server, { ...this.spawnFailure, stderr: this.stderrTail }));
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };

    const client = new LanguageClient("koncierge", "Koncierge", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) this.setStatus("running", `from ${server.origin}`);
      if (event.newState === State.Stopped && this.client === client) this.setStatus("stopped");
      this.stateEmitter.fire();
    });
    try {
      await client.start();
    } catch (error) {
      const failure = explainStartFailure(server, { ...this.spawnFailure, stderr: this.stderrTail });
      this.output.error(`The language server did not start: ${String(error)}`);
      this.setStatus("stopped", failure.reason);
      void this.notify(failure);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.warn(`Stopping the language server: ${String(error)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private notifying = false;

  private async notify(problem: ServerNotFound): Promise<void> {
    if (this.notifying) return;
    this.notifying = true;
    try {
      const choice = await vscode.window.showErrorMessage(
        `Koncierge: the language server cannot start: ${problem.reason}. ${problem.remedy}`,
        "Open Settings",
        "Show Log",
        "Retry",
      );
      if (choice === "Open Settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "koncierge.server");
      } else if (choice === "Show Log") {
        this.output.show(true);
      } else if (choice === "Retry") {
        await this.restart();
      }
    } finally {
      this.notifying = false;
    }
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
    this.stateEmitter.dispose();
  }
}
