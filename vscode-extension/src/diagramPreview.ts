// The live diagram beside the editor: it follows the active .kon file, redraws from the server's
// `koncierge/diagram` a moment after each edit, switches views and environments, folds or unfolds
// configuration and secrets, and reveals the source of a clicked node. The server returns data
// (an SVG without title or legend, and the title and legend entries); the webview
// (media/preview.js) renders it, with the title and legend as HTML around the fitted drawing.

import * as vscode from "vscode";
import { KonciergeClient } from "./client";
import { debounce, environmentNames } from "./documentFacts";
import { DIAGRAM_VIEWS, DiagramParams, DiagramResult, DiagramView, KonciergeRequests, Range } from "./protocol";

export const DIAGRAM_VIEW_TYPE = "koncierge.diagramPreview";

/** What the webview remembers across a window reload (through `setState` and the serializer). */
export interface PreviewState {
  uri?: string;
  view?: DiagramView;
  env?: string | null;
  unfold?: boolean;
}

type FromWebview =
  | { type: "ready" }
  | { type: "setView"; view: DiagramView }
  | { type: "setEnvironment"; env: string }
  | { type: "setUnfold"; unfold: boolean }
  | { type: "reveal"; id: string };

function nonce(): string {
  const characters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let text = "";
  for (let index = 0; index < 32; index++) text += characters.charAt(Math.floor(Math.random() * characters.length));
  return text;
}

function isKonDocument(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
  return document !== undefined && document.languageId === "koncierge";
}

export class DiagramPreviewManager implements vscode.Disposable, vscode.WebviewPanelSerializer<PreviewState> {
  private panel: vscode.WebviewPanel | undefined;
  private documentUri: vscode.Uri | undefined;
  private view: DiagramView = "requirements";
  private environment: string | null = null;
  private unfold = false;
  private nodes: DiagramResult["nodes"] = [];
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly redrawSoon = debounce(
    () => void this.redraw(),
    () => vscode.workspace.getConfiguration("koncierge.preview").get<number>("debounceMilliseconds", 300),
  );

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: KonciergeClient,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel && isKonDocument(editor?.document) && editor.document.uri.toString() !== this.documentUri?.toString()) {
          this.follow(editor.document);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (this.panel && event.document.uri.toString() === this.documentUri?.toString()) this.redrawSoon.call();
      }),
      client.onDidChangeState(() => {
        if (this.panel) this.redrawSoon.call();
      }),
    );
  }

  /** "Koncierge: Open Diagram Preview to the Side". */
  open(document: vscode.TextDocument | undefined): void {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(
        DIAGRAM_VIEW_TYPE,
        "Koncierge Diagram",
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        this.webviewOptions(),
      );
      this.attach(panel, {});
    } else {
      this.panel.reveal(undefined, true);
    }
    const target = isKonDocument(document) ? document : vscode.window.visibleTextEditors.map((e) => e.document).find(isKonDocument);
    if (target) this.follow(target);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PreviewState | undefined): Promise<void> {
    panel.webview.options = this.webviewOptions();
    this.attach(panel, state ?? {});
    if (state?.uri) {
      try {
        this.follow(await vscode.workspace.openTextDocument(vscode.Uri.parse(state.uri)));
        return;
      } catch {
        // The file is gone: fall back to whatever .kon file is open.
      }
    }
    const active = vscode.window.activeTextEditor?.document;
    if (isKonDocument(active)) this.follow(active);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "media")],
    };
  }

  private attach(panel: vscode.WebviewPanel, state: PreviewState): void {
    this.panel?.dispose();
    this.panel = panel;
    this.view = state.view && DIAGRAM_VIEWS.includes(state.view) ? state.view : this.defaultView();
    this.environment = state.env ?? null;
    this.unfold = state.unfold === true;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, "images", "icon.png");
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.redrawSoon.cancel();
      }
    });
    panel.webview.onDidReceiveMessage((message: FromWebview) => this.receive(message));
    panel.onDidChangeViewState(() => {
      if (panel.visible) this.redrawSoon.call();
    });
  }

  private defaultView(): DiagramView {
    const configured = vscode.workspace.getConfiguration("koncierge.preview").get<string>("defaultView", "requirements");
    return (DIAGRAM_VIEWS as readonly string[]).includes(configured) ? (configured as DiagramView) : "requirements";
  }

  private follow(document: vscode.TextDocument): void {
    this.documentUri = document.uri;
    const environments = environmentNames(document.getText());
    if (this.environment !== null && !environments.includes(this.environment)) this.environment = null;
    if (this.panel) this.panel.title = `Diagram: ${vscode.workspace.asRelativePath(document.uri, false).split("/").pop()}`;
    void this.redraw();
  }

  private receive(message: FromWebview): void {
    switch (message.type) {
      case "ready":
        void this.redraw();
        break;
      case "setView":
        if (DIAGRAM_VIEWS.includes(message.view)) this.view = message.view;
        void this.redraw();
        break;
      case "setEnvironment":
        this.environment = message.env || null;
        void this.redraw();
        break;
      case "setUnfold":
        this.unfold = message.unfold === true;
        void this.redraw();
        break;
      case "reveal":
        void this.reveal(message.id);
        break;
    }
  }

  private async reveal(id: string): Promise<void> {
    const node = this.nodes.find((candidate) => candidate.id === id);
    if (!node || !this.documentUri) return;
    const range = toVscodeRange(node.range);
    const document = await vscode.workspace.openTextDocument(this.documentUri);
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document === document);
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
    });
    // The whole statement is selected with the cursor at its start, which stays in view.
    editor.selection = new vscode.Selection(range.end, range.start);
    editor.revealRange(new vscode.Range(range.start, range.start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async redraw(): Promise<void> {
    const panel = this.panel;
    if (!panel || !this.documentUri) {
      panel?.webview.postMessage({ type: "empty", message: "Open a .kon file to see its diagram." });
      return;
    }
    const generation = ++this.generation;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.documentUri?.toString());
    const environments = document ? environmentNames(document.getText()) : [];
    const file = vscode.workspace.asRelativePath(this.documentUri, false);
    const state: PreviewState = { uri: this.documentUri.toString(), view: this.view, env: this.environment, unfold: this.unfold };
    const header = { file, view: this.view, env: this.environment, unfold: this.unfold, environments, state };
    const languageClient = this.client.languageClient;
    if (!languageClient) {
      void panel.webview.postMessage({ type: "error", ...header, message: "The Koncierge language server is not running." });
      return;
    }
    void panel.webview.postMessage({ type: "busy", ...header });
    try {
      // Without a chosen environment the server picks one (PROD, else the last) and says which.
      const params: DiagramParams = {
        textDocument: { uri: this.documentUri.toString() },
        view: this.view,
        environment: this.environment,
        unfold: this.unfold,
      };
      const result = await languageClient.sendRequest<DiagramResult>(KonciergeRequests.diagram, params);
      if (generation !== this.generation || this.panel !== panel) return;
      this.nodes = result.nodes ?? [];
      const drawn = {
        ...header,
        env: result.environment ?? this.environment,
        hasErrors: result.hasErrors === true,
        title: result.title ?? "",
        legend: result.legend ?? [],
      };
      if (result.svg) {
        void panel.webview.postMessage({ type: "render", ...drawn, svg: result.svg, nodes: this.nodes.map((n) => n.id) });
      } else {
        void panel.webview.postMessage({ type: "source", ...drawn, dot: result.dot, message: result.message ?? "Graphviz could not draw the diagram." });
      }
    } catch (error) {
      if (generation !== this.generation || this.panel !== panel) return;
      const message = error instanceof Error ? error.message : String(error);
      void panel.webview.postMessage({ type: "error", ...header, message });
    }
  }

  private html(webview: vscode.Webview): string {
    const media = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "media", name));
    const scriptNonce = nonce();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${scriptNonce}'`,
    ].join("; ");
    const viewButtons = DIAGRAM_VIEWS.map(
      (view) => `<button type="button" class="view" data-view="${view}" aria-pressed="false">${view[0].toUpperCase()}${view.slice(1)}</button>`,
    ).join("");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media("preview.css")}">
<title>Koncierge Diagram</title>
</head>
<body>
<header class="toolbar">
  <div class="views" role="group" aria-label="View">${viewButtons}</div>
  <label class="environment">Environment <select id="environment" aria-label="Environment"></select></label>
  <button type="button" id="unfold" class="toggle" aria-pressed="false" title="Draw configuration, secrets and each workload's own objects (ServiceAccount, NetworkPolicy) as nodes of their own, instead of listing them in the workload">Unfold</button>
  <button type="button" id="zoom" class="toggle" aria-pressed="false" title="Fit the pane, or Graphviz's own size">1:1</button>
</header>
<div class="subtitle"><span id="caption" class="caption"></span><span id="status" class="status" role="status"></span></div>
<main id="diagram" class="diagram" aria-live="polite"></main>
<footer class="legend-strip"><span class="legend-heading">Legend</span><ul id="legend" class="legend" aria-label="Legend"></ul></footer>
<script nonce="${scriptNonce}" src="${media("preview.js")}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.redrawSoon.cancel();
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export function toVscodeRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}
