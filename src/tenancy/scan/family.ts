import type { Finding } from "../../findings/types.js";
import type { Labels } from "../../k8s/labels.js";
import { namespaceLabels } from "../../k8s/snapshot.js";
import type { LoadedObject } from "../../k8s/types.js";
import { podTemplate } from "../../k8s/workloads.js";
import type { FamilyStream, ScanFamily, ScanOptions } from "../../scan/family.js";
import { judgeTenancyAdmission } from "./admission.js";
import { nodeFactsOf, type NodeFacts } from "./nodes.js";
import { judgePlacement, type PlacementFinding } from "./placement.js";
import { TENANCY_RULE_LIST } from "./rules.js";

/**
 * Not judged: the cluster's own components live there and tolerate every taint by design
 * (kube-proxy, CNI agents and operators), and the webhook `palisade install` deploys never
 * sees it (its namespaceSelector leaves kube-system out, src/install/manifests.ts), so
 * admission would refuse nothing there.
 */
const SYSTEM_NAMESPACE = "kube-system";

/**
 * Judges objects one at a time, as they load or from a snapshot: the same findings either
 * way. What depends on the input's Nodes (a node named by a template, the nodes a
 * toleration opens) waits for the last object, since a Node may come after the workload.
 */
class TenancyJudge {
  private readonly nodes = new Map<string, NodeFacts>();
  /** Each object's findings in input order: ready, or to be made once every Node is known. */
  private readonly slots: (Finding[] | (() => Finding[]))[] = [];
  private readonly nodeLabels = (name: string): Labels | undefined => this.nodes.get(name)?.labels;

  constructor(
    private readonly options: ScanOptions,
    private readonly namespaces: ReadonlyMap<string, Labels>,
  ) {}

  observe(loaded: LoadedObject): void {
    const node = nodeFactsOf(loaded.object);
    if (node) {
      this.nodes.set(node.name, node);
      return;
    }
    const template = podTemplate(loaded.object);
    if (!template) return;
    const namespace = loaded.object.metadata?.namespace ?? this.options.defaultNamespace ?? "default";
    if (namespace === SYSTEM_NAMESPACE) return;
    const spec = template.pod.spec;
    const admission = this.options.tenancy;
    if (admission) {
      const inNamespace = { name: namespace, labels: this.namespaces.get(namespace) };
      const judge = () => judgeTenancyAdmission(admission, loaded, template.path, spec, inNamespace, this.nodeLabels);
      const judged = judge();
      if (judged.askedForNodes) this.slots.push(() => judge().findings);
      else if (judged.findings.length > 0) this.slots.push(judged.findings);
    }
    const placed = judgePlacement(loaded, template.path, spec);
    if (placed.length > 0) this.slots.push(() => placed.map((p) => this.withNodes(p)));
  }

  finish(): Finding[] {
    return this.slots.flatMap((slot) => (typeof slot === "function" ? slot() : slot));
  }

  private withNodes({ finding, nodesClause }: PlacementFinding): Finding {
    const clause = nodesClause?.(this.nodes);
    return clause === undefined ? finding : { ...finding, message: `${finding.message}; ${clause}` };
  }
}

/** Taint-based placement and tenant isolation as a `palisade scan` family: each object as it loads. */
export const tenancyFamily: ScanFamily = {
  id: "tenancy",
  rules: TENANCY_RULE_LIST,
  check(snapshot, options) {
    const judge = new TenancyJudge(options, namespaceLabels(snapshot));
    for (const loaded of snapshot.objects) judge.observe(loaded);
    return judge.finish();
  },
  stream(options, input): FamilyStream {
    const judge = new TenancyJudge(options, input.namespaces);
    return { observe: (loaded) => judge.observe(loaded), finish: () => judge.finish() };
  },
};
