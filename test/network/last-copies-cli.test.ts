/** explain, matrix and diff answer for the last copy of an object the input defines twice, as kubectl apply -f leaves it. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runNetpol } from "./cli-run.js";

const web = (tier: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: ${tier}}}
    spec: {containers: [{name: c, image: nginx}]}
`;
const api = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]}
`;
const onlyFrom = (tier: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {tier: ${tier}}}}]
`;

function files(texts: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), "palisade-copies-"));
  return Object.entries(texts).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
}

const explain = (paths: string[]) => runNetpol("explain", ...paths, "--from", "shop/web", "--to", "shop/api", "--port", "8080");

describe("an object defined twice", () => {
  it("is judged as its last copy by explain and matrix, with a warning naming both places", async () => {
    const [a, b] = files({ "a.yaml": [web("old"), api, onlyFrom("new")].join("---\n"), "b.yaml": web("new") });
    const forward = await explain([a!, b!]);
    expect(forward.out).toMatch(/ALLOWED/);
    expect(forward.err).toContain(`warning: ${a}:1:1: shop/Deployment/web is defined 2 times, differently (${a}:1:1, ${b}:1:1): the answer below reads the last definition`);
    // Given the other way round, the old labels are the last copy.
    expect((await explain([b!, a!])).out).toMatch(/DENIED/);
    const matrix = await runNetpol("matrix", a!, b!);
    expect(matrix.out).toContain("shop/web[Deployment] => shop/api[Deployment] : All Connections");
    expect(matrix.out.match(/^shop\/web\[Deployment\] => 0\.0\.0\.0/gm)).toHaveLength(1);
  });

  it("counts a policy once, as its last copy, not as the union of its copies", async () => {
    const [a, b] = files({ "a.yaml": [web("new"), api, onlyFrom("new")].join("---\n"), "b.yaml": onlyFrom("other") });
    const result = await explain([a!, b!]);
    expect(result.out).toMatch(/DENIED/);
    expect(result.err).toContain("shop/NetworkPolicy/only is defined 2 times, differently");
  });

  it("says nothing of copies that agree (one file given twice)", async () => {
    const [a] = files({ "a.yaml": [web("new"), api, onlyFrom("new")].join("---\n") });
    const result = await explain([a!, a!]);
    expect(result.out).toMatch(/ALLOWED/);
    expect(result.err).toBe("");
  });
});
