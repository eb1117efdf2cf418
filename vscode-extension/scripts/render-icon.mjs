// Renders images/icon.svg to the 128x128 images/icon.png that the marketplace and VS Code need.
// Run `node scripts/render-icon.mjs` after editing the SVG (needs Debian's chromium).
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const svg = readFileSync(new URL("../images/icon.svg", import.meta.url), "utf8");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.locator("svg").screenshot({ path: new URL("../images/icon.png", import.meta.url).pathname, omitBackground: true });
await browser.close();
