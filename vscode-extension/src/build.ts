// "Koncierge: Build": runs `koncierge build` from the same installation as the language server,
// so the files written are exactly those of the command line.

import { execFile } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import { KonciergeClient } from "./client";
import { isServerNotFound } from "./serverCommand";

export async function build(document: vscode.TextDocument, client: KonciergeClient, output: vscode.LogOutputChannel): Promise<void> {
  if (document.isDirty && !(await document.save())) return;
  const resolved = client.serverCommand ?? client.resolve();
  if (isServerNotFound(resolved)) {
    void vscode.window.showErrorMessage(`Koncierge: cannot build: ${resolved.reason}. ${resolved.remedy}`);
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? path.dirname(document.uri.fsPath);
  const configured = vscode.workspace.getConfiguration("koncierge.build").get<string>("outputDirectory", "out");
  const outputDirectory = path.resolve(folder, configured || "out");
  const args = [...resolved.cli.args, "build", document.uri.fsPath, "-o", outputDirectory, "--color", "never"];
  output.info(`Build: ${[resolved.cli.command, ...args].join(" ")}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Koncierge: building" },
    () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolveRun) => {
        execFile(resolved.cli.command, args, { cwd: folder, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 2) : 0;
          resolveRun({ code, stdout, stderr: stderr || (error && typeof error.code !== "number" ? error.message : "") });
        });
      }),
  );
  for (const line of `${result.stdout}\n${result.stderr}`.split(/\r?\n/)) if (line.trim()) output.info(`[build] ${line}`);
  if (result.code === 0) {
    const written = `${result.stdout}\n${result.stderr}`.split(/\r?\n/).filter((line) => line.startsWith("wrote ")).length;
    const choice = await vscode.window.showInformationMessage(
      `Koncierge: built ${path.basename(document.uri.fsPath)}: ${written} file${written === 1 ? "" : "s"} in ${vscode.workspace.asRelativePath(outputDirectory)}.`,
      "Reveal in Explorer",
    );
    if (choice) await vscode.commands.executeCommand("revealInExplorer", vscode.Uri.file(outputDirectory));
  } else {
    const reason = result.code === 1 ? "the file has errors (see the Problems panel); nothing was written" : result.stderr.trim().split("\n").pop();
    const choice = await vscode.window.showErrorMessage(`Koncierge: the build failed: ${reason}.`, "Show Log");
    if (choice) output.show(true);
  }
}
