/** The bundled example Ingress shows both weaknesses, each at its field, and nothing else of this family. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/conformance.js";
import { ingressFindings } from "./support.js";

describe("examples/cluster/55-ingress.yaml", () => {
  it("has a configuration snippet and a host without TLS", async () => {
    const found = await ingressFindings(readFileSync(join(repoRoot, "examples/cluster/55-ingress.yaml"), "utf8"));
    expect(found.map((f) => `${f.position?.line}:${f.position?.column} ${f.ruleId} ${f.fieldPath}`)).toEqual([
      '10:5 ingress/nginx-snippet metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]',
      "28:7 ingress/plain-http spec.rules[1].host",
    ]);
    // The snippet's text stays out of the report.
    expect(found[0]?.message).not.toContain("X-Frame-Options");
  });
});
