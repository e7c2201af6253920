import { expect } from "vitest";
import { evaluateQuotas } from "../../../src/access/quota/evaluate.js";
import { loadSnapshot } from "../../../src/k8s/load.js";

/** Quotas and LimitRanges judged over manifests given as one YAML stream, which must load cleanly. */
export async function evaluateYaml(yaml: string, defaultNamespace?: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return evaluateQuotas(snapshot, defaultNamespace ? { defaultNamespace } : {});
}
