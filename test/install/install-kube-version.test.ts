/**
 * `palisade install --kube-version` and the webhook pods' termination: below 1.28 install
 * refuses (the node webhook's matchConditions would be dropped), from 1.28 the node webhook
 * keeps them; the preStop delay is the kubelet's sleep from 1.30 (PodLifecycleSleepAction on
 * by default) and an exec of the image's node before; the grace period covers the delay and
 * the server's drain bound, which follows server.requestTimeoutSeconds.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { kubeVersionFlag } from "../../src/install/kube-version.js";
import { PRESTOP_DELAY_SECONDS } from "../../src/install/termination.js";
import { palisade } from "../support/cli-in-process.js";
import { findObject, withoutWebhookUrlWarning, type Obj } from "./support.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function install(...args: string[]): Promise<{ objects: Obj[]; stderr: string }> {
  const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return { objects: (JSON.parse(result.stdout) as { items: Obj[] }).items, stderr: result.stderr };
}

const podSpec = (objects: Obj[]) => findObject(objects, "Deployment").spec.template.spec;
const nodeWebhook = (objects: Obj[]) => findObject(objects, "ValidatingWebhookConfiguration").webhooks.find((w: { name: string }) => w.name === "nodes.validate.palisade.dev");

describe("--kube-version", () => {
  it("reads the minor version however kubectl or people write it", () => {
    fc.assert(
      fc.property(fc.nat({ max: 99 }), fc.option(fc.nat({ max: 99 }), { nil: undefined }), fc.constantFrom("", "v"), fc.constantFrom("", "-gke.1200", "-eks-a737599", "+k3s1"), (minor, patch, v, suffix) => {
        const text = `${v}1.${minor}${patch === undefined ? "" : `.${patch}`}${patch === undefined ? "" : suffix}`;
        expect(kubeVersionFlag(text)).toEqual({ major: 1, minor });
      }),
    );
    for (const bad of ["", "latest", "1", "v1", "1.x", "v2.0", "1.30.4.5", "v 1.30"]) expect(() => kubeVersionFlag(bad), bad).toThrow(/--kube-version .*expected a Kubernetes version|Kubernetes versions are 1\.N/);
  });

  it("refuses clusters older than 1.28, saying why and what to do, and prints nothing", async () => {
    for (const version of ["v1.27", "1.25.3", "v1.27.16-gke.100"]) {
      const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "--kube-version", version]);
      expect(result.code, version).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^palisade: --kube-version v1\.\d+: palisade install needs Kubernetes v1\.28 or later: the node webhook uses matchConditions/);
      expect(result.stderr).toMatch(/hint: upgrade the control plane to v1\.28/);
      expect(result.stderr).not.toContain("    at ");
    }
    const help = await palisade(["install", "--help"]);
    expect(help.stdout).toMatch(/--kube-version <version>/);
  });

  it("keeps the node webhook's matchConditions from 1.28 on", async () => {
    for (const version of ["v1.28", "v1.30", undefined]) {
      const { objects } = await install(...(version ? ["--kube-version", version] : []));
      expect(nodeWebhook(objects).matchConditions).toEqual([{ name: "node-identities-only", expression: "request.userInfo.username.startsWith('system:node:')" }]);
    }
  });
});

describe("the webhook pods keep answering until they are out of the endpoints", () => {
  it("sleeps in the kubelet from 1.30 (and when the version is not given), with no note", async () => {
    for (const args of [[], ["--kube-version", "v1.30"], ["--kube-version", "1.34.1"]]) {
      const { objects, stderr } = await install(...args);
      const spec = podSpec(objects);
      expect(spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: PRESTOP_DELAY_SECONDS } } });
      expect(withoutWebhookUrlWarning(stderr)).toBe("");
    }
  });

  it("before 1.30 runs the distroless image's node for the same delay, and says the image must have it", async () => {
    const { objects, stderr } = await install("--kube-version", "v1.29.4");
    const command = podSpec(objects).containers[0].lifecycle.preStop.exec.command as string[];
    // The image has no shell or sleep (deploy/Dockerfile): node, at the path of its ENTRYPOINT.
    expect(command[0]).toBe("/nodejs/bin/node");
    expect(command[1]).toBe("-e");
    expect(() => new Function(command[2]!)).not.toThrow();
    expect(command[2]).toContain(`${PRESTOP_DELAY_SECONDS * 1000}`);
    expect(stderr).toMatch(/^palisade install: note: Kubernetes v1\.29 has no lifecycle\.preStop\.sleep on by default: the webhook's preStop hook runs \/nodejs\/bin\/node/);
  });

  it("gives the pod a grace period covering the delay and the server's drain bound (requestTimeoutSeconds + 10 s)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-grace-"));
    const config = (timeout: number) => {
      const file = join(dir, `config-${timeout}.yaml`);
      writeFileSync(file, `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 8443\n  requestTimeoutSeconds: ${timeout}\npolicies:\n  nodeRestriction: { mode: enforce }\n`);
      return file;
    };
    for (const timeout of [5, 30]) {
      const { objects } = await install("--config", config(timeout));
      const grace = podSpec(objects).terminationGracePeriodSeconds as number;
      expect(grace).toBeGreaterThan(PRESTOP_DELAY_SECONDS + timeout + 10);
      expect(grace).toBeLessThanOrEqual(PRESTOP_DELAY_SECONDS + timeout + 20);
    }
    // The default configuration's timeout is 10 s.
    const grace = podSpec((await install()).objects).terminationGracePeriodSeconds as number;
    expect(grace).toBeGreaterThan(PRESTOP_DELAY_SECONDS + 10 + 10);
  });
});
