/**
 * `palisade scan` findings for networking.k8s.io/v1 Ingresses: raw NGINX configuration
 * injected through ingress-nginx's Critical annotations (snippets.ts), hosts served without
 * TLS (plain-http.ts), and an Ingress the API server would refuse (validate.ts). Which
 * controller serves an Ingress decides what its annotations mean; ingress-class.ts reads it
 * from the IngressClasses of the input, and says when it had to assume.
 */
import { findingAt } from "../../findings/finding-at.js";
import type { Finding, Rule } from "../../findings/types.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { formatFieldPath, type LoadedObject } from "../../k8s/types.js";
import { READS_NOTHING, type ScanFamily } from "../../scan/family.js";
import { ingressController, isIngress, isIngressClass, readIngressClasses, type IngressClasses } from "../../k8s/ingress-class.js";
import { nginxCertifiedHosts, plainHttpFindings, type NginxCertifiedHosts } from "./plain-http.js";
import { INGRESS_RULE, INGRESS_RULES } from "./rules.js";
import { snippetFindings } from "./snippets.js";
import { ingressProblems } from "./validate.js";

const REFUSED = INGRESS_RULE.get("ingress/fails-validation") as Rule;

function ingressLabel(loaded: LoadedObject): string {
  const metadata = loaded.object.metadata;
  const namespace = typeof metadata?.namespace === "string" ? metadata.namespace : "default";
  const name = typeof metadata?.name === "string" ? metadata.name : "?";
  return `Ingress ${namespace}/${name}`;
}

/**
 * The findings of one Ingress, given the IngressClasses of the input and the hosts its
 * ingress-nginx Ingresses give a certificate (nginxCertifiedHosts; none by default).
 */
export function judgeIngress(loaded: LoadedObject, classes: IngressClasses, certified: NginxCertifiedHosts = new Map()): Finding[] {
  const label = ingressLabel(loaded);
  const refused = ingressProblems(loaded.object).map((problem) => findingAt(REFUSED, loaded, problem.path, `${label}: ${formatFieldPath(problem.path)}: ${problem.message}`));
  const controller = ingressController(loaded.object, classes);
  return [...refused, ...snippetFindings(loaded, label, controller), ...plainHttpFindings(loaded, label, controller, certified)];
}

export function checkIngresses(snapshot: Snapshot): Finding[] {
  const classes = readIngressClasses(snapshot.objects.map(({ object }) => object));
  const ingresses = snapshot.objects.filter(({ object }) => isIngress(object));
  // ingress-nginx merges the Ingresses it serves by host, so one's spec.tls covers another's paths on that host.
  const nginxIngresses = ingresses.filter(({ object }) => ingressController(object, classes).nginx).map((loaded) => ({ loaded, label: ingressLabel(loaded) }));
  const certified = nginxCertifiedHosts(nginxIngresses);
  return ingresses.flatMap((loaded) => judgeIngress(loaded, classes, certified));
}

export const ingressFamily: ScanFamily = {
  id: "ingress",
  rules: INGRESS_RULES,
  check: (snapshot) => checkIngresses(snapshot),
  // IngressClasses too: their controller says whose annotations an Ingress carries.
  reads: (input) => (input.mentions("Ingress") ? (object) => isIngress(object) || isIngressClass(object) : READS_NOTHING),
};
