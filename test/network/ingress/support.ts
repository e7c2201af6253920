/** Scanning YAML text with the ingress family alone, as `palisade scan` loads it (with positions). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "../../../src/findings/types.js";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { ingressFamily } from "../../../src/network/ingress/family.js";
import { runScan } from "../../../src/scan/run.js";

export async function ingressFindings(yaml: string): Promise<Finding[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-ingress-")), "ingress.yaml");
  writeFileSync(file, yaml);
  const result = runScan(await loadSnapshot({ paths: [file] }), {}, [ingressFamily]);
  // runScan turns a family's crash into a problem: a crash must fail the test instead.
  if (result.problems.length > 0) throw new Error(`scan problems: ${JSON.stringify(result.problems)}`);
  return result.findings;
}

/** An Ingress with these annotations and spec (YAML text, indented as under `metadata:` and `spec:`). */
export function ingress(spec: string, annotations = "", name = "web"): string {
  const meta = annotations === "" ? "" : `  annotations:\n${annotations}`;
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
${meta}spec:
${spec}`;
}

export const byRule = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);

/** One served path to Service web:80, for a rule. */
export const HTTP = `    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
`;
