// The diagram webview: draws the SVG the extension sends, fitted into the pane, with the diagram's
// title above it and its legend below it as HTML (the SVG has neither, so that the whole pane goes
// to the drawing); offers the view, environment and unfold choices; and asks the extension to
// reveal the source of a clicked node. It never talks to the server itself and keeps its choices
// in the webview state so that a reload restores them.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by VS Code inside webviews.
  const vscode = acquireVsCodeApi();
  const SVG_NAMESPACE = "http://www.w3.org/2000/svg";
  const diagram = /** @type {HTMLElement} */ (document.getElementById("diagram"));
  const caption = /** @type {HTMLElement} */ (document.getElementById("caption"));
  const legend = /** @type {HTMLElement} */ (document.getElementById("legend"));
  const status = /** @type {HTMLElement} */ (document.getElementById("status"));
  const environmentPicker = /** @type {HTMLSelectElement} */ (document.getElementById("environment"));
  const viewButtons = /** @type {HTMLButtonElement[]} */ (Array.from(document.querySelectorAll("button.view")));
  const unfoldButton = /** @type {HTMLButtonElement} */ (document.getElementById("unfold"));

  for (const button of viewButtons) {
    button.addEventListener("click", () => {
      showView(button.dataset.view || "requirements");
      vscode.postMessage({ type: "setView", view: button.dataset.view });
    });
  }
  const zoomButton = /** @type {HTMLButtonElement} */ (document.getElementById("zoom"));
  zoomButton.addEventListener("click", () => {
    const actual = !document.body.classList.contains("actual-size");
    document.body.classList.toggle("actual-size", actual);
    zoomButton.setAttribute("aria-pressed", String(actual));
    zoomButton.textContent = actual ? "Fit" : "1:1";
    applyZoom();
  });
  unfoldButton.addEventListener("click", () => {
    const unfold = unfoldButton.getAttribute("aria-pressed") !== "true";
    showUnfold(unfold);
    vscode.postMessage({ type: "setUnfold", unfold });
  });

  /** Fit: the whole diagram in the pane. 1:1: Graphviz's own size, scrolled. */
  function applyZoom() {
    const svg = /** @type {SVGSVGElement | null} */ (diagram.querySelector("svg"));
    if (!svg) return;
    const actual = document.body.classList.contains("actual-size");
    svg.style.width = actual ? svg.dataset.naturalWidth || "" : "";
    svg.style.height = actual ? svg.dataset.naturalHeight || "" : "";
  }

  environmentPicker.addEventListener("change", () => {
    vscode.postMessage({ type: "setEnvironment", env: environmentPicker.value });
  });

  /** @param {string} view */
  function showView(view) {
    document.body.dataset.view = view;
    for (const button of viewButtons) button.setAttribute("aria-pressed", String(button.dataset.view === view));
  }

  /** @param {boolean} unfold */
  function showUnfold(unfold) {
    unfoldButton.setAttribute("aria-pressed", String(unfold));
  }

  /** @param {string[]} environments @param {string | null} selected */
  function showEnvironments(environments, selected) {
    const current = Array.from(environmentPicker.options).map((option) => option.value);
    if (current.join("\n") !== environments.join("\n")) {
      environmentPicker.replaceChildren(
        ...environments.map((name) => {
          const option = document.createElement("option");
          option.value = name;
          option.textContent = name;
          return option;
        }),
      );
    }
    if (selected) environmentPicker.value = selected;
    environmentPicker.disabled = environments.length === 0;
  }

  /**
   * @param {string} name @param {Record<string, string>} attributes
   * @returns {SVGElement}
   */
  function svgElement(name, attributes) {
    const element = /** @type {SVGElement} */ (document.createElementNS(SVG_NAMESPACE, name));
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    return element;
  }

  // A sample of each of Graphviz's shapes the diagrams use, in a 24 x 14 box: enough to tell
  // them apart, as the drawing's own nodes look.
  /** @type {Record<string, (rounded: boolean) => Array<[string, Record<string, string>]>>} */
  const SHAPES = {
    box: (rounded) => [["rect", { x: "1.5", y: "1.5", width: "21", height: "11", rx: rounded ? "3.5" : "0" }]],
    ellipse: () => [["ellipse", { cx: "12", cy: "7", rx: "10.5", ry: "5.5" }]],
    oval: () => [["ellipse", { cx: "12", cy: "7", rx: "10.5", ry: "5.5" }]],
    cylinder: () => [
      ["path", { d: "M2,3.5 V10.5 A10,2.5 0 0 0 22,10.5 V3.5" }],
      ["ellipse", { cx: "12", cy: "3.5", rx: "10", ry: "2.5" }],
    ],
    note: () => [["path", { d: "M1.5,1.5 H17.5 L22.5,6 V12.5 H1.5 Z M17.5,1.5 V6 H22.5" }]],
    folder: () => [["path", { d: "M1.5,3.5 H13 L15,1.5 H22.5 V12.5 H1.5 Z" }]],
    tab: () => [["path", { d: "M1.5,3.5 H8 V1.5 H13 V3.5 H22.5 V12.5 H1.5 Z" }]],
    hexagon: () => [["polygon", { points: "6,1.5 18,1.5 22.5,7 18,12.5 6,12.5 1.5,7" }]],
    octagon: () => [["polygon", { points: "7,1.5 17,1.5 22.5,4.5 22.5,9.5 17,12.5 7,12.5 1.5,9.5 1.5,4.5" }]],
    cds: () => [["polygon", { points: "1.5,1.5 18,1.5 22.5,7 18,12.5 1.5,12.5" }]],
    invhouse: () => [["polygon", { points: "1.5,1.5 22.5,1.5 22.5,8.5 12,12.5 1.5,8.5" }]],
    box3d: () => [["path", { d: "M1.5,4 H19 V12.5 H1.5 Z M1.5,4 L4,1.5 H22.5 V10 L19,12.5 M19,4 L22.5,1.5" }]],
    component: () => [
      ["rect", { x: "4", y: "1.5", width: "18.5", height: "11" }],
      ["rect", { x: "1.5", y: "3.5", width: "5", height: "2.5" }],
      ["rect", { x: "1.5", y: "8", width: "5", height: "2.5" }],
    ],
  };

  /**
   * The sample of one legend entry: the shape in its colours, or a short line with an arrowhead.
   * @param {{kind: string, shape: string, fill: string, color: string, rounded: boolean, dashed: boolean}} entry
   */
  function swatch(entry) {
    const sample = svgElement("svg", { viewBox: "0 0 24 14", width: "24", height: "14", "aria-hidden": "true", class: "swatch" });
    if (entry.kind === "line") {
      sample.append(
        svgElement("line", { x1: "1", y1: "7", x2: "17", y2: "7", stroke: entry.color, "stroke-width": "2" }),
        svgElement("polygon", { points: "16,3.5 23,7 16,10.5", fill: entry.color }),
      );
      return sample;
    }
    const parts = (SHAPES[entry.shape] || SHAPES.box)(entry.rounded);
    for (const [name, attributes] of parts) {
      const part = svgElement(name, { ...attributes, fill: entry.fill || "none", stroke: entry.color, "stroke-width": "1.2" });
      if (entry.dashed) part.setAttribute("stroke-dasharray", "3,2");
      sample.append(part);
    }
    return sample;
  }

  /** @param {Array<{kind: string, name: string, text: string, meaning: string, shape: string, fill: string, color: string, rounded: boolean, dashed: boolean}>} entries */
  function showLegend(entries) {
    legend.replaceChildren(
      ...entries.map((entry) => {
        const item = document.createElement("li");
        item.dataset.kind = entry.kind;
        item.dataset.name = entry.name;
        item.title = entry.meaning;
        const words = document.createElement("span");
        words.textContent = entry.text;
        item.append(swatch(entry), words);
        return item;
      }),
    );
    document.body.classList.toggle("no-legend", entries.length === 0);
  }

  /** Removes anything active from server-made SVG; the CSP would block it anyway. @param {Element} root */
  function sanitize(root) {
    for (const element of Array.from(root.querySelectorAll("script, foreignObject"))) element.remove();
    for (const element of [root, ...Array.from(root.querySelectorAll("*"))]) {
      for (const attribute of Array.from(element.attributes)) {
        const value = attribute.value.trim().toLowerCase();
        if (attribute.name.startsWith("on") || value.startsWith("javascript:")) element.removeAttribute(attribute.name);
      }
    }
  }

  /** @param {string} svgText @param {string[]} nodeIds */
  function render(svgText, nodeIds) {
    const parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
    const svg = parsed.documentElement;
    if (!svg || svg.nodeName !== "svg" || parsed.getElementsByTagName("parsererror").length > 0) {
      showMessage("The server sent a diagram that is not SVG.", "error");
      return;
    }
    sanitize(svg);
    svg.setAttribute("data-natural-width", svg.getAttribute("width") || "");
    svg.setAttribute("data-natural-height", svg.getAttribute("height") || "");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "img");
    const known = new Set(nodeIds);
    for (const group of Array.from(svg.querySelectorAll("g"))) {
      const title = group.querySelector(":scope > title")?.textContent?.trim() ?? "";
      const id = [group.getAttribute("id") ?? "", title].find((candidate) => known.has(candidate));
      if (!id) continue;
      group.classList.add("clickable");
      group.setAttribute("data-node-id", id);
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("aria-label", `Show ${title || id} in the source`);
    }
    diagram.replaceChildren(document.importNode(svg, true));
    applyZoom();
  }

  diagram.addEventListener("click", (event) => {
    const target = /** @type {Element} */ (event.target);
    const node = target.closest?.("[data-node-id]");
    if (node) vscode.postMessage({ type: "reveal", id: node.getAttribute("data-node-id") });
  });
  diagram.addEventListener("keydown", (event) => {
    const target = /** @type {Element} */ (event.target);
    if ((event.key === "Enter" || event.key === " ") && target.getAttribute?.("data-node-id")) {
      event.preventDefault();
      vscode.postMessage({ type: "reveal", id: target.getAttribute("data-node-id") });
    }
  });

  /** @param {string} text @param {string} kind */
  function showMessage(text, kind) {
    status.textContent = text;
    status.dataset.kind = kind;
  }

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (message.state) vscode.setState(message.state);
    if (message.view) showView(message.view);
    if (typeof message.unfold === "boolean") showUnfold(message.unfold);
    if (message.environments) showEnvironments(message.environments, message.env);
    if (message.file) document.title = message.file;
    switch (message.type) {
      case "busy":
        document.body.classList.add("busy");
        break;
      case "render":
        document.body.classList.remove("busy", "stale");
        caption.textContent = message.title || "";
        render(message.svg, message.nodes || []);
        showLegend(message.legend || []);
        showMessage(
          message.file + (message.env ? ` · ${message.env}` : "") + (message.hasErrors ? " · the file has errors: the diagram shows what could be read" : ""),
          message.hasErrors ? "warning" : "info",
        );
        break;
      case "source": {
        // Graphviz is missing: say how to get it and show the DOT source meanwhile.
        document.body.classList.remove("busy", "stale");
        caption.textContent = message.title || "";
        const pre = document.createElement("pre");
        pre.className = "dot";
        pre.textContent = message.dot;
        diagram.replaceChildren(pre);
        showLegend([]);
        showMessage(message.message, "error");
        break;
      }
      case "error":
        // The last good diagram stays, dimmed, under the reason it could not be redrawn.
        document.body.classList.remove("busy");
        document.body.classList.add("stale");
        showMessage(message.message, "error");
        break;
      case "empty":
        document.body.classList.remove("busy");
        diagram.replaceChildren();
        caption.textContent = "";
        showLegend([]);
        showMessage(message.message, "info");
        break;
    }
  });

  const saved = vscode.getState();
  showView((saved && saved.view) || "requirements");
  showUnfold(Boolean(saved && saved.unfold));
  vscode.postMessage({ type: "ready" });
})();
