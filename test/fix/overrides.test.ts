/** `palisade fix` tells an edit that reverses what the manifest wrote from one that fills in a missing field. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerFixCommand } from "../../src/cli/fix.js";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { planPodFix } from "../../src/fix/plan.js";
import { LATEST, type Level } from "../../src/podsecurity/levels.js";
import type { PodView } from "../../src/podsecurity/pod.js";
import { runCli } from "./run-cli.js";

const restricted = { level: "restricted" as Level, version: LATEST };

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: explicit
        image: nginx
        securityContext:
          allowPrivilegeEscalation: true   # the author wrote this
          capabilities:
            add: [NET_RAW]
      - name: missing
        image: nginx
      - name: nulled
        image: nginx
        securityContext:
          allowPrivilegeEscalation: null
`;

describe("which changes override a value the manifest wrote", () => {
  it("marks a replaced true and a removed capability, never a filled-in or null field", () => {
    const pod = {
      metadata: {},
      spec: {
        containers: [
          { name: "explicit", securityContext: { allowPrivilegeEscalation: true, capabilities: { add: ["NET_RAW"] } } },
          { name: "missing" },
          { name: "nulled", securityContext: { allowPrivilegeEscalation: null } },
        ],
      },
    } as unknown as PodView;
    const plan = planPodFix("restricted", LATEST, pod);
    const overrides = plan.changes.filter((c) => c.overrides).map((c) => [c.description, c.overrides?.value]);
    expect(overrides).toEqual([
      ["container explicit: allowPrivilegeEscalation: false", true],
      ["remove added capability NET_RAW", "NET_RAW"],
    ]);
    const filled = plan.changes.filter((c) => !c.overrides).map((c) => c.description);
    expect(filled).toContain("container missing: allowPrivilegeEscalation: false");
    expect(filled).toContain("container nulled: allowPrivilegeEscalation: false");
    expect(filled).toContain("pod: runAsNonRoot: true (the image must run as a non-root numeric UID)");
    expect(plan.notFixed).toEqual([]);
  });

  it("a quoted \"true\", corrected to a boolean first, is still the author's true", () => {
    const text = DEPLOYMENT.replace("allowPrivilegeEscalation: true ", 'allowPrivilegeEscalation: "true"');
    const r = fixManifestText(text, restricted);
    expect(r.corrections.map((c) => c.description)).toEqual(['spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: "true" → true']);
    const change = r.documents[0]?.plan.changes.find((c) => c.description.startsWith("container explicit"));
    expect(change?.overrides).toEqual({ value: true });
  });
});

describe("palisade fix reports overrides on stderr", () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "palisade-fix-overrides-")), "web.yaml");
    writeFileSync(file, text);
    return file;
  };

  it("says OVERRODE with the value written, fixed for the rest, and one hint for the run", async () => {
    const file = write(DEPLOYMENT);
    const r = await runCli(registerFixCommand, ["fix", file]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const at = `${file}:1: Deployment/shop/web: `;
    expect(lines).toContain(`${at}OVERRODE allowPrivilegeEscalation: container explicit: allowPrivilegeEscalation: false (spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation), which the manifest set to true`);
    expect(lines).toContain(`${at}OVERRODE capabilities_restricted: remove added capability NET_RAW (spec.template.spec.containers[0].securityContext.capabilities.add[0]), which the manifest wrote`);
    expect(lines).toContain(`${at}fixed allowPrivilegeEscalation: container missing: allowPrivilegeEscalation: false (spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation)`);
    expect(lines).toContain(`${at}fixed allowPrivilegeEscalation: container nulled: allowPrivilegeEscalation: false (spec.template.spec.containers[2].securityContext.allowPrivilegeEscalation)`);
    expect(lines.filter((l) => l.includes("OVERRODE"))).toHaveLength(3);
    expect(lines.slice(-2)).toEqual([
      "2 changes OVERRODE a value written in the manifests, which restricted forbids",
      "  hint: if a workload needs such a value, it cannot run at restricted; leave it out of this fix and keep its namespace at a looser level",
    ]);
    expect(r.stdout).toContain("allowPrivilegeEscalation: false   # the author wrote this");
  });

  it("says nothing of overrides when every change fills in a missing field", async () => {
    const explicit = "        securityContext:\n          allowPrivilegeEscalation: true   # the author wrote this\n          capabilities:\n            add: [NET_RAW]\n";
    expect(DEPLOYMENT).toContain(explicit);
    const file = write(DEPLOYMENT.replace(explicit, ""));
    const r = await runCli(registerFixCommand, ["fix", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/OVERRODE|hint:/);
    expect(r.stderr).toContain("fixed allowPrivilegeEscalation: container explicit: allowPrivilegeEscalation: false");
  });
});
