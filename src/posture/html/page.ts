/**
 * The posture as one self-contained HTML file: the report as a JSON block, cytoscape and
 * the page's own script inline, and a Content-Security-Policy that allows exactly those two
 * scripts (by hash) and no network at all. It opens from disk, from a CI artifact or an
 * email, and no name in the input can run in it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { PostureReport } from "../types.js";
import { postureJsonPieces } from "../render-json.js";
import { CLIENT_SCRIPT } from "./client-script.js";
import { PAGE_STYLE } from "./style.js";

/**
 * The stylesheet cytoscape inserts into the head of its page when it draws (its container
 * positioned), word for word: the policy allows it by hash. The Chromium tests fail on any
 * style the policy refuses, so a cytoscape that writes another is noticed.
 */
const CYTOSCAPE_CONTAINER_STYLE = ".__________cytoscape_container { position: relative; }";

let cytoscapeSource: string | undefined;

/** cytoscape's browser build, with its licence header, read once from the installed package. */
function cytoscapeScript(): string {
  cytoscapeSource ??= readFileSync(createRequire(import.meta.url).resolve("cytoscape/dist/cytoscape.min.js"), "utf8");
  return cytoscapeSource;
}

/**
 * JSON text that an HTML parser cannot end early: no `<` (so no `</script>` or `<!--`) and
 * no line separators, each written as the JSON escape that means the same character.
 */
export function escapeForScriptBlock(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function hash(script: string): string {
  return `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
}

export function renderPostureHtml(report: PostureReport): string {
  return [...renderPostureHtmlPieces(report)].join("");
}

/** The page in pieces: its report is written a batch of workloads at a time (see render-json.ts). */
export function* renderPostureHtmlPieces(report: PostureReport): Generator<string> {
  const scripts = [cytoscapeScript(), CLIENT_SCRIPT];
  // Styles by hash too: the page's own sheet and the one rule cytoscape inserts; no style from anywhere else applies.
  const csp = `default-src 'none'; script-src ${scripts.map(hash).join(" ")}; style-src ${[PAGE_STYLE, CYTOSCAPE_CONTAINER_STYLE].map(hash).join(" ")}; img-src data:; base-uri 'none'; form-action 'none'`;
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="palisade ${report.tool.version.replace(/[^0-9A-Za-z.+-]/g, "")}">
<title>Palisade posture</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>Zero-trust posture</h1>
<p class="meta"><span id="source"></span> · <span id="generated"></span></p>
</header>
<main>
<section id="cards" class="cards" aria-label="summary"></section>
<section>
<h2>Workloads</h2>
<p class="hint">Each pillar starts at 100. A deduction takes critical 60, high 40, medium 15 or low 5 of what is left; a rule costs once per workload; a workload scores its weakest pillar. Click a row for every deduction, where it comes from and how to fix it.</p>
<div class="controls">
<input id="filter" type="search" placeholder="filter by namespace, kind or name" aria-label="filter workloads">
<select id="grade" aria-label="grade"><option value="">every grade</option><option>A</option><option>B</option><option>C</option><option>D</option><option>F</option></select>
<span id="shown" class="hint"></span>
</div>
<table id="workloads">
<thead><tr><th data-key="name">workload</th><th data-key="score">score</th><th>grade</th><th data-key="identity">identity</th><th data-key="workload">workload</th><th data-key="network">network</th><th data-key="data">data</th></tr></thead>
<tbody></tbody>
</table>
</section>
<section>
<h2>Who may connect to whom</h2>
<p class="hint"><span id="graph-level"></span>. Colour is the score; an arrow is a connection the policies allow; the diamond is the outside world, linked to what is published to it. <span id="graph-note"></span></p>
<div id="graph" role="img" aria-label="network graph"></div>
</section>
<section>
<h2>Platform and cluster-wide findings</h2>
<table id="cluster-findings">
<thead><tr><th>severity</th><th>rule</th><th>object</th><th>message</th><th>where</th></tr></thead>
<tbody></tbody>
</table>
</section>
</main>
<script type="application/json" id="posture-data">`;
  for (const piece of postureJsonPieces(report)) yield escapeForScriptBlock(piece);
  yield `</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body>
</html>
`;
}
