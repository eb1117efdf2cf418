// The diagram webview: draws the SVG the extension sends, offers the view and environment
// choices, and asks the extension to reveal the source of a clicked node. It never talks to the
// server itself and keeps its choices in the webview state so that a reload restores them.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by VS Code inside webviews.
  const vscode = acquireVsCodeApi();
  const diagram = /** @type {HTMLElement} */ (document.getElementById("diagram"));
  const status = /** @type {HTMLElement} */ (document.getElementById("status"));
  const environmentPicker = /** @type {HTMLSelectElement} */ (document.getElementById("environment"));
  const viewButtons = /** @type {HTMLButtonElement[]} */ (Array.from(document.querySelectorAll("button.view")));

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

  /** Fit: the diagram fills the width. 1:1: Graphviz's own size, scrolled. */
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
    if (message.environments) showEnvironments(message.environments, message.env);
    if (message.file) document.title = message.file;
    switch (message.type) {
      case "busy":
        document.body.classList.add("busy");
        break;
      case "render":
        document.body.classList.remove("busy", "stale");
        render(message.svg, message.nodes || []);
        showMessage(
          message.file + (message.env ? ` · ${message.env}` : "") + (message.hasErrors ? " · the file has errors: the diagram shows what could be read" : ""),
          message.hasErrors ? "warning" : "info",
        );
        break;
      case "source": {
        // Graphviz is missing: say how to get it and show the DOT source meanwhile.
        document.body.classList.remove("busy", "stale");
        const pre = document.createElement("pre");
        pre.className = "dot";
        pre.textContent = message.dot;
        diagram.replaceChildren(pre);
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
        showMessage(message.message, "info");
        break;
    }
  });

  const saved = vscode.getState();
  showView((saved && saved.view) || "requirements");
  vscode.postMessage({ type: "ready" });
})();
