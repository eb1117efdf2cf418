// The custom requests of the Koncierge language server, declared once for the client.
//
// The server declares the same names once in Python (server/koncierge_server/protocol.py) and
// documents their shapes in docs/lsp-extensions.md; tests/test_extension_protocol.py checks that
// the two lists match. This module must not import `vscode` so that unit tests run under Node.

export const KonciergeRequests = {
  manifests: "koncierge/manifests",
  architecture: "koncierge/architecture",
  diagram: "koncierge/diagram",
} as const;

export type KonciergeRequestName = (typeof KonciergeRequests)[keyof typeof KonciergeRequests];

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export const DIAGRAM_VIEWS = ["requirements", "architecture", "kubernetes"] as const;
export type DiagramView = (typeof DIAGRAM_VIEWS)[number];

export interface TextDocumentIdentifier {
  uri: string;
}

export interface DiagramParams {
  textDocument: TextDocumentIdentifier;
  view: DiagramView;
  /** The environment to draw; the server picks one when it is null. */
  environment: string | null;
  /** Draw configuration, secrets and each workload's own objects as nodes instead of listing them in the workload. */
  unfold?: boolean;
}

/** One shape or line the diagram uses, for the legend the preview shows beside it. */
export interface DiagramLegendEntry {
  kind: "node" | "line" | "implied";
  name: string;
  /** A word or two. */
  text: string;
  /** What it stands for, in a sentence. */
  meaning: string;
  /** Graphviz's shape name, or "line". */
  shape: string;
  fill: string;
  color: string;
  rounded: boolean;
  dashed: boolean;
}

export interface DiagramNode {
  id: string;
  range: Range;
}

export interface DiagramResult {
  uri: string;
  version: number;
  view: DiagramView;
  /** The environment drawn (the server's choice when the params had none). */
  environment: string | null;
  unfold: boolean;
  /** The diagram's title; the SVG has none. */
  title: string;
  /** The shapes and lines the SVG uses; the SVG has no legend. */
  legend: DiagramLegendEntry[];
  hasErrors: boolean;
  /** Null when Graphviz is missing or failed; `message` then says why and how to install it. */
  svg: string | null;
  dot: string;
  nodes: DiagramNode[];
  message: string | null;
}

export interface ManifestsParams {
  textDocument: TextDocumentIdentifier;
  environment: string;
  /** Needed only when several applications in one file have an environment of this name. */
  application?: string;
}

export interface ManifestsResult {
  uri: string;
  version: number;
  application: string;
  environment: string;
  /** The file has errors: the manifests are those of the statements that could be compiled. */
  hasErrors: boolean;
  yaml: string;
  objects: { apiVersion: string; kind: string; name: string | null; yamlLines: { start: number; end: number }; sourceRange: Range }[];
}
