// The Koncierge extension: wires the language client, the diagram preview, the generated-YAML
// documents and the commands together. Each feature lives in its own module.

import * as vscode from "vscode";
import { build } from "./build";
import { KonciergeClient } from "./client";
import { DIAGRAM_VIEW_TYPE, DiagramPreviewManager } from "./diagramPreview";
import { GENERATED_YAML_SCHEME, GeneratedYamlProvider, showGeneratedYaml } from "./generatedYaml";

let client: KonciergeClient | undefined;

function konDocument(uri?: vscode.Uri): vscode.TextDocument | undefined {
  if (uri) return vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === "koncierge") return active;
  return vscode.window.visibleTextEditors.map((editor) => editor.document).find((document) => document.languageId === "koncierge");
}

async function requireKonDocument(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const document = konDocument(uri) ?? (uri ? await vscode.workspace.openTextDocument(uri) : undefined);
  if (!document) void vscode.window.showWarningMessage("Koncierge: open a .kon file first.");
  return document;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // vscode-languageclient 11 writes through the log API: a plain output channel makes start() fail.
  const output = vscode.window.createOutputChannel("Koncierge", { log: true });
  client = new KonciergeClient(output);
  const preview = new DiagramPreviewManager(context.extensionUri, client);
  const generatedYaml = new GeneratedYamlProvider(client);

  context.subscriptions.push(
    output,
    client,
    preview,
    generatedYaml,
    vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, preview),
    vscode.workspace.registerTextDocumentContentProvider(GENERATED_YAML_SCHEME, generatedYaml),
    vscode.commands.registerCommand("koncierge.restartServer", () => client?.restart()),
    vscode.commands.registerCommand("koncierge.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("koncierge.openDiagramPreviewToSide", async (uri?: vscode.Uri) => {
      preview.open(uri instanceof vscode.Uri ? await requireKonDocument(uri) : konDocument());
    }),
    vscode.commands.registerCommand("koncierge.showGeneratedYaml", async (uri?: vscode.Uri, environment?: string) => {
      const document = await requireKonDocument(uri instanceof vscode.Uri ? uri : undefined);
      if (document) await showGeneratedYaml(document, typeof environment === "string" ? environment : undefined);
    }),
    vscode.commands.registerCommand("koncierge.build", async (uri?: vscode.Uri) => {
      const document = await requireKonDocument(uri instanceof vscode.Uri ? uri : undefined);
      if (document && client) await build(document, client, output);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("koncierge.server")) void client?.restart();
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
