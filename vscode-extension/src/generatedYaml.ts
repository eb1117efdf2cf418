// "Koncierge: Show Generated YAML": a read-only virtual document per (file, environment) holding
// the Kubernetes manifests from the server's `koncierge/manifests`; it follows the source's edits.

import * as vscode from "vscode";
import { KonciergeClient } from "./client";
import { debounce, environmentNames } from "./documentFacts";
import { manifestsText } from "./manifestsText";
import { KonciergeRequests, ManifestsParams, ManifestsResult } from "./protocol";

export const GENERATED_YAML_SCHEME = "koncierge-yaml";

export function generatedYamlUri(source: vscode.Uri, environment: string): vscode.Uri {
  const name = source.path.split("/").pop()?.replace(/\.kon$/, "") ?? "koncierge";
  const query = new URLSearchParams({ source: source.toString(), env: environment }).toString();
  return vscode.Uri.from({ scheme: GENERATED_YAML_SCHEME, path: `/${name}.${environment}.yaml`, query });
}

function sourceName(source: string): string {
  return decodeURIComponent(source.split("/").pop() ?? source);
}

function parseGeneratedYamlUri(uri: vscode.Uri): { source: string; env: string } {
  const query = new URLSearchParams(uri.query);
  return { source: query.get("source") ?? "", env: query.get("env") ?? "" };
}

export class GeneratedYamlProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, ReturnType<typeof debounce<[]>>>();

  constructor(private readonly client: KonciergeClient) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => this.sourceChanged(event.document.uri)),
      client.onDidChangeState(() => {
        for (const document of vscode.workspace.textDocuments) {
          if (document.uri.scheme === GENERATED_YAML_SCHEME) this.changeEmitter.fire(document.uri);
        }
      }),
    );
  }

  private sourceChanged(source: vscode.Uri): void {
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== GENERATED_YAML_SCHEME) continue;
      if (parseGeneratedYamlUri(document.uri).source !== source.toString()) continue;
      const key = document.uri.toString();
      let update = this.pending.get(key);
      if (!update) {
        const uri = document.uri;
        update = debounce(
          () => this.changeEmitter.fire(uri),
          () => vscode.workspace.getConfiguration("koncierge.preview").get<number>("debounceMilliseconds", 300),
        );
        this.pending.set(key, update);
      }
      update.call();
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const { source, env } = parseGeneratedYamlUri(uri);
    const languageClient = this.client.languageClient;
    if (!languageClient) return "# The Koncierge language server is not running: see the Koncierge output.\n";
    const params: ManifestsParams = { textDocument: { uri: source }, environment: env };
    try {
      const result = await languageClient.sendRequest(KonciergeRequests.manifests, params, token);
      const text = manifestsText(result, env) ?? `# No manifests for the environment ${env}.\n`;
      const hasErrors = (result as Partial<ManifestsResult> | null)?.hasErrors === true;
      return hasErrors ? `# ${sourceName(source)} has errors: only what could be compiled is shown.\n${text}` : text;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `# The manifests could not be generated: ${message.replace(/\n/g, "\n# ")}\n`;
    }
  }

  dispose(): void {
    for (const update of this.pending.values()) update.cancel();
    for (const disposable of this.disposables) disposable.dispose();
    this.changeEmitter.dispose();
  }
}

/** Asks which environment when the file has several (the argument skips the question). */
export async function pickEnvironment(document: vscode.TextDocument, given?: string): Promise<string | undefined> {
  const environments = environmentNames(document.getText());
  if (given) return given;
  if (environments.length === 0) {
    void vscode.window.showWarningMessage("Koncierge: this file declares no environment.");
    return undefined;
  }
  if (environments.length === 1) return environments[0];
  return vscode.window.showQuickPick(environments, { placeHolder: "Which environment's manifests?" });
}

export async function showGeneratedYaml(document: vscode.TextDocument, environment?: string): Promise<void> {
  const chosen = await pickEnvironment(document, environment);
  if (!chosen) return;
  const yaml = await vscode.workspace.openTextDocument(generatedYamlUri(document.uri, chosen));
  await vscode.languages.setTextDocumentLanguage(yaml, "yaml").then(
    () => undefined,
    () => undefined,
  );
  await vscode.window.showTextDocument(yaml, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
}
