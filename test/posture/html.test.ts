/**
 * The HTML posture report in a real headless Chromium: it renders the report it embeds,
 * its table, details and graph work, nothing in the input can run as script, its
 * Content-Security-Policy holds, and it asks the network for nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withBaseline } from "../../src/posture/baseline.js";
import { renderPostureHtml } from "../../src/posture/html/page.js";
import { byScore } from "../../src/posture/render-text.js";
import { workloadName, type PostureReport } from "../../src/posture/types.js";
import { hasChromium, launchChromium } from "../support/chromium.js";
import { repoRoot } from "../support/conformance.js";
import { deployment, postureOf } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-html-"));

interface Opened {
  page: Page;
  /** Console errors and warnings, and page errors. */
  problems: string[];
  /** Every URL that reached the network (a request the policy blocks never does). */
  requests: string[];
}

describe.skipIf(!hasChromium)("posture HTML report in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(html: string, name: string): Promise<Opened> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("response", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    return { page, problems, requests };
  }

  async function ready(page: Page): Promise<void> {
    await page.waitForFunction(() => (globalThis as unknown as { palisadePosture?: { ready: boolean } }).palisadePosture?.ready === true, undefined, { timeout: 20_000 });
  }

  it("renders the example cluster: summary, every workload, the graph, the cluster findings", async () => {
    const cli = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "posture", join(repoRoot, "examples/cluster"), "-o", "html"], { encoding: "utf8", maxBuffer: 1 << 26 });
    expect(cli.status).toBe(0);
    const report = JSON.parse(spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "posture", join(repoRoot, "examples/cluster"), "-o", "json"], { encoding: "utf8" }).stdout) as PostureReport;
    const { page, problems, requests } = await open(cli.stdout, "example.html");
    await ready(page);
    expect(problems).toEqual([]);
    expect(requests.every((url) => url.startsWith("file://"))).toBe(true);
    expect(await page.textContent(".card .big")).toBe(String(report.summary.meanScore));
    const names = await page.$$eval("tr.workload td.name", (cells) => cells.map((c) => c.textContent));
    // Weakest first, as the text table.
    expect(names).toEqual(byScore(report.workloads).map((w) => workloadName(w.ref)));
    expect(await page.$$eval("#cluster-findings tbody tr", (rows) => rows.length)).toBe(report.clusterFindings.length);
    const graph = await page.evaluate(() => {
      const cy = (globalThis as unknown as { palisadePosture: { cy: { nodes(): { length: number }; edges(): { length: number } } } }).palisadePosture.cy;
      return { nodes: cy.nodes().length, edges: cy.edges().length };
    });
    expect(graph).toEqual({ nodes: report.graph.nodes.length, edges: report.graph.edges.length });
    // The graph is drawn: its canvas has pixels that are not background.
    const drawn = await page.$$eval("#graph canvas", (canvases) => {
      let inked = 0;
      for (const canvas of canvases) {
        // The page's types: this package compiles without the DOM's.
        const c = canvas as unknown as { width: number; height: number; getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null };
        const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
        for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) inked++;
      }
      return inked;
    });
    expect(drawn).toBeGreaterThan(100);
  }, 60_000);

  it("a row opens its deductions; filter, grade and sort change the table; a graph node opens its row", async () => {
    const report = await postureOf(deployment("web", "shop") + deployment("api", "shop").replace("allowPrivilegeEscalation: false,", "privileged: true, allowPrivilegeEscalation: false,") + deployment("job", "batch"));
    const { page, problems } = await open(renderPostureHtml(report), "interact.html");
    await ready(page);
    const rows = () => page.$$eval("tr.workload td.name", (cells) => cells.map((c) => c.textContent));
    expect(await rows()).toEqual(["shop/Deployment/api", "batch/Deployment/job", "shop/Deployment/web"]);
    await page.click("tr.workload >> nth=0");
    const detail = await page.textContent("tr.detail:not([hidden])");
    expect(detail).toContain("pss/privileged");
    expect(detail).toContain("-60");
    expect(detail).toMatch(/input\.yaml:\d+:\d+/);
    await page.click("tr.workload >> nth=0");
    expect(await page.$$eval("tr.detail:not([hidden])", (d) => d.length)).toBe(0);
    await page.fill("#filter", "shop/");
    expect(await rows()).toEqual(["shop/Deployment/api", "shop/Deployment/web"]);
    expect(await page.textContent("#shown")).toBe("2 of 3 workloads");
    await page.fill("#filter", "");
    const apiGrade = report.workloads.find((w) => w.ref.name === "api")!.grade;
    expect(report.workloads.filter((w) => w.grade === apiGrade)).toHaveLength(1);
    await page.selectOption("#grade", apiGrade);
    expect(await rows()).toEqual(["shop/Deployment/api"]);
    await page.selectOption("#grade", "");
    await page.click("th[data-key=name]");
    expect(await rows()).toEqual(["batch/Deployment/job", "shop/Deployment/api", "shop/Deployment/web"]);
    await page.click("th[data-key=name]");
    expect(await rows()).toEqual(["shop/Deployment/web", "shop/Deployment/api", "batch/Deployment/job"]);
    await page.evaluate(() => {
      const cy = (globalThis as unknown as { palisadePosture: { cy: { nodes(selector: string): { emit(event: string): void } } } }).palisadePosture.cy;
      cy.nodes("[workload = 'batch/Deployment/job']").emit("tap");
    });
    expect(await page.textContent("tr.workload.open td.name")).toBe("batch/Deployment/job");
    expect(problems).toEqual([]);
  }, 60_000);

  it("with -n, the graph draws the namespace's workloads and, dashed, only the others that connect with them", async () => {
    const shut = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: vault}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n---\n";
    const report = await postureOf(deployment("web", "shop") + deployment("api", "shop") + deployment("job", "batch") + deployment("tool", "ops") + deployment("secret", "vault") + shut, { namespace: "shop" });
    const { page, problems } = await open(renderPostureHtml(report), "scoped.html");
    await ready(page);
    const drawn = await page.evaluate(() => {
      interface Node { data(key: string): unknown; style(key: string): string }
      const cy = (globalThis as unknown as { palisadePosture: { cy: { nodes(selector?: string): { map<T>(f: (n: Node) => T): T[] }; edges(): { length: number } } } }).palisadePosture.cy;
      const describe = (n: Node) => `${String(n.data("workload") ?? n.data("label"))} ${n.style("border-style")}`;
      return { workloads: cy.nodes("[kind = 'workload']").map(describe).sort(), namespaces: cy.nodes("[kind = 'namespace']").map(describe).sort(), edges: cy.edges().length };
    });
    // vault connects with nothing: it is not drawn; batch and ops are, dashed, and so are their namespaces.
    expect(drawn.workloads).toEqual(["batch/Deployment/job dashed", "ops/Deployment/tool dashed", "shop/Deployment/api solid", "shop/Deployment/web solid"]);
    expect(drawn.namespaces).toEqual(["batch dashed", "ops dashed", "shop solid"]);
    expect(drawn.edges).toBe(report.graph.edges.length);
    // shop's 2 workloads reach each other, and each reaches and is reached by the 2 others: 2 + 2 x 2 x 2.
    expect(report.graph.edges).toHaveLength(10);
    expect(await page.textContent("#graph-level")).toBe("2 workloads in shop and 2 of other namespaces that connect with them (dashed), 10 allowed connections");
    expect(await page.textContent(".card")).toContain("mean score of 2 workloads in shop");
    expect(await page.$$eval("tr.workload td.name", (cells) => cells.map((c) => c.textContent).sort())).toEqual(["shop/Deployment/api", "shop/Deployment/web"]);
    // A drawn peer has no row here: tapping it opens nothing and breaks nothing.
    await page.evaluate(() => {
      const cy = (globalThis as unknown as { palisadePosture: { cy: { nodes(selector: string): { emit(event: string): void } } } }).palisadePosture.cy;
      cy.nodes("[workload = 'batch/Deployment/job']").emit("tap");
    });
    expect(await page.$$eval("tr.workload.open", (open) => open.length)).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it("against a baseline: each score's change and a summary card", async () => {
    const before = await postureOf(deployment("web", "shop") + deployment("api", "shop") + deployment("old", "shop"));
    const now = await postureOf(deployment("web", "shop").replace("allowPrivilegeEscalation: false,", "privileged: true, allowPrivilegeEscalation: false,") + deployment("api", "shop") + deployment("new", "shop"));
    const { page, problems } = await open(renderPostureHtml(withBaseline(now, before, "base.json")), "baseline.html");
    await ready(page);
    const web = now.workloads.find((w) => w.ref.name === "web")!;
    const was = before.workloads.find((w) => w.ref.name === "web")!;
    const cells = await page.$$eval("tr.workload", (rows) => rows.map((r) => `${r.children[0]?.textContent} ${r.children[1]?.textContent}`));
    expect(cells).toContain(`shop/Deployment/web ${web.score} (${web.score - was.score})`);
    expect(cells).toContain(`shop/Deployment/new ${now.workloads.find((w) => w.ref.name === "new")!.score} (new)`);
    expect(cells.find((c) => c.startsWith("shop/Deployment/api"))).toMatch(/^shop\/Deployment\/api \d+$/);
    expect(await page.textContent("#baseline")).toContain("1 lower");
    expect(await page.textContent("#baseline")).toContain("0 higher, 1 new, 1 gone");
    expect(problems).toEqual([]);
  }, 60_000);

  it("names, messages and files from the input are text, never markup or script", async () => {
    const attack = `<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>`;
    const report = await postureOf(deployment("web", "shop"));
    const web = report.workloads[0]!;
    web.ref.name = attack;
    web.facts.push(attack);
    web.pillars.identity.deductions[0]!.reason = attack;
    web.pillars.identity.deductions[0]!.position = { file: attack, line: 1, column: 1 };
    report.source = attack;
    report.clusterFindings.push({ ruleId: attack, severity: "high", pillar: "platform", message: attack, object: { kind: attack, name: attack } });
    report.graph.nodes.find((n) => n.kind === "workload")!.label = attack;
    const html = renderPostureHtml(report);
    expect(html).not.toContain("</script><script>window.pwned");
    const { page, problems } = await open(html, "hostile.html");
    await ready(page);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.$$eval("img", (images) => images.length)).toBe(0);
    expect(await page.textContent("tr.workload td.name")).toBe(`shop/Deployment/${attack}`);
    expect(await page.textContent("#source")).toBe(attack);
    await page.click("tr.workload >> nth=0");
    expect(await page.textContent("tr.detail:not([hidden])")).toContain(attack);
    expect(problems).toEqual([]);
  }, 60_000);

  it("hostile names, labels, containers and images from real manifests stay text through the scan's messages", async () => {
    const attack = "</script><script>window.pwned=1</script><!--<script>`${window.pwned=2}`\u2028\u2029'\"";
    const yaml = JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: `ns${attack}` } }) +
      "\n---\n" +
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `pod${attack}`, namespace: `ns${attack}`, labels: { app: attack }, annotations: { note: attack } },
        spec: { serviceAccountName: `sa${attack}`, containers: [{ name: `c${attack}`, image: `img${attack}`, securityContext: { privileged: true } }] },
      }) +
      "\n";
    const report = await postureOf(yaml);
    expect(report.workloads).toHaveLength(1);
    const html = renderPostureHtml(report);
    expect(html.indexOf("</script><script>window.pwned")).toBe(-1);
    const { page, problems } = await open(html, "hostile-manifest.html");
    await ready(page);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.$$eval("script", (scripts) => scripts.length)).toBe(3);
    // Text exactly as written, line separators included, and the embedded report whole.
    expect(await page.textContent("tr.workload td.name")).toBe(`ns${attack}/Pod/pod${attack}`);
    expect(await page.evaluate(() => JSON.stringify((globalThis as unknown as { palisadePosture: { report: unknown } }).palisadePosture.report))).toBe(JSON.stringify(report));
    await page.click("tr.workload >> nth=0");
    const detail = (await page.textContent("tr.detail:not([hidden])")) ?? "";
    expect(detail).toContain(`ServiceAccount ns${attack}/sa${attack}`);
    expect(detail).toContain(`container "c${attack}"`);
    expect(problems).toEqual([]);
  }, 60_000);

  it("its Content-Security-Policy runs only its own two scripts", async () => {
    const report = await postureOf(deployment("web", "shop"));
    const html = renderPostureHtml(report).replace(
      "</body>",
      "<script>window.injected = 1</script><img src=\"https://example.com/beacon.png\"><style>#styled { color: rgb(255, 0, 0) }</style><p id=\"styled\" style=\"background-color: rgb(0, 0, 255)\">x</p></body>",
    );
    const { page, problems, requests } = await open(html, "csp.html");
    await ready(page);
    expect(await page.evaluate(() => (globalThis as unknown as { injected?: number }).injected)).toBeUndefined();
    expect(problems.some((p) => p.includes("Content Security Policy"))).toBe(true);
    expect(problems.some((p) => p.includes("https://example.com/beacon.png"))).toBe(true);
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
    // Styles too: neither a stylesheet nor a style attribute that is not the page's own applies.
    const styled = await page.$eval("#styled", (p) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string } }).getComputedStyle(p);
      return { color: style.color, background: style.backgroundColor };
    });
    expect(styled.color).not.toBe("rgb(255, 0, 0)");
    expect(styled.background).not.toBe("rgb(0, 0, 255)");
    // The page's own stylesheet does apply.
    expect(await page.$eval("#graph", (g) => (globalThis as unknown as { getComputedStyle(e: unknown): { height: string } }).getComputedStyle(g).height)).toBe("560px");
  }, 60_000);

  it("a cluster of more than 200 workloads draws namespaces, and opens a row built on demand", async () => {
    let yaml = "";
    for (let i = 0; i < 450; i++) yaml += deployment(`w${i}`, `ns${i % 9}`);
    const report = await postureOf(yaml);
    expect(report.graph.level).toBe("namespaces");
    const { page, problems } = await open(renderPostureHtml(report), "large.html");
    await ready(page);
    expect(await page.$$eval("tr.workload", (rows) => rows.length)).toBe(450);
    expect(await page.$$eval("tr.detail .deductions", (built) => built.length)).toBe(0);
    expect(await page.textContent("#graph-level")).toBe(`9 namespaces, ${report.graph.edges.length} links`);
    await page.click("tr.workload >> nth=10");
    expect(await page.$$eval("tr.detail .deductions", (built) => built.length)).toBe(1);
    expect(problems).toEqual([]);
  }, 60_000);
});
