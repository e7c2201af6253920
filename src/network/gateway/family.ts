/**
 * `palisade scan` findings for Gateway API objects, judged with k8s/gateway-api.ts's
 * attachment: a listener that takes routes from every namespace, a plain-HTTP listener
 * that routes in the input forward through, a ReferenceGrant that opens every Service of
 * its namespace; and, to explain what does not work, an object the API server would
 * refuse (validate.ts), a listener Conflicted with another of its port, a ListenerSet that
 * is not Accepted, a route its Gateway (named, or a default one it asks for) refuses, and
 * why, a route whose parent the API server would refuse (once, at the route, pointing at the
 * refusal: the parent's other findings describe a status it never gets), and a backend no
 * ReferenceGrant permits; and, so that no assumption passes for a
 * verdict, a route whose parent the input does not hold, taken as accepted, and one whose
 * namespace it does not hold, taken as matching a listener's selector.
 */
import { formatPosition } from "../../errors.js";
import { findingAt } from "../../findings/finding-at.js";
import type { Finding, Rule } from "../../findings/types.js";
import { backendPermitted, isGatewayApiObject, NOT_IN_INPUT, readGatewayApi, serviceBackends, type ApiServerRefusal, type GatewayApi, type Refusal, type RouteParent } from "../../k8s/gateway-api.js";
import { gatewayObjectProblemsOnce } from "../../k8s/gateway-parent-refusal.js";
import { listenerLabel, rivalLabel, type ListenerConflict } from "../../k8s/gateway-conflicts.js";
import { listenerProtocol } from "../../k8s/gateway-listener.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { formatFieldPath, isRecord, type FieldPath, type LoadedObject } from "../../k8s/types.js";
import { READS_NOTHING, type ScanFamily } from "../../scan/family.js";
import { admitsEveryNamespace } from "./every-namespace.js";
import { assumedNamespaceLabels } from "./unknown-namespace.js";

const SPEC = "https://gateway-api.sigs.k8s.io/reference/spec/";

export const GATEWAY_RULES: readonly Rule[] = [
  {
    id: "gateway/invalid-object",
    title: "Gateway API object that the API server would refuse",
    family: "gateway",
    pillar: "network",
    severity: "medium",
    docs: {
      description:
        "A Gateway, ListenerSet, route or ReferenceGrant with a field the API server refuses (a wrong type, a value out of range, a Service backend without a port, a duplicate listener name, two listeners of one resource with the same port, protocol and hostname, tls on an HTTP, TCP or UDP listener or missing from a TLS one) or does not know (kubectl refuses unknown fields; a misspelt sectionName or allowedRoutes would otherwise fall back to a default that attaches more or less than was meant). Applying it fails, so what it was written to publish, admit or permit does not exist: a route attached to a refused Gateway or ListenerSet (or to a ListenerSet of a refused Gateway) is created and attaches to nothing, which gateway/route-not-accepted says at the route's parentRef, pointing here.",
      remediation: "Fix the field named in the finding; `kubectl apply --dry-run=server` shows the API server's own error.",
      helpUri: `${SPEC}`,
    },
  },
  {
    id: "gateway/routes-from-every-namespace",
    title: "Gateway listener that accepts routes from every namespace",
    family: "gateway",
    pillar: "network",
    severity: "medium",
    docs: {
      description:
        "A listener with allowedRoutes.namespaces.from: All, or from: Selector with a selector every namespace matches (an empty selector, or nothing but `kubernetes.io/metadata.name` Exists, a label the API server sets on every namespace), lets a route in any namespace attach, so whoever may create an HTTPRoute anywhere can take traffic for the listener's hostnames and paths, or publish a workload the platform team never meant to expose.",
      remediation: "Admit only the namespaces that should publish through this listener: `from: Selector` with a selector on a label only those namespaces carry, or `from: Same`.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.RouteNamespaces`,
    },
  },
  {
    id: "gateway/plaintext-listener",
    title: "Gateway listener that forwards traffic unencrypted",
    family: "gateway",
    pillar: "network",
    severity: "medium",
    docs: {
      description:
        "A listener of protocol HTTP to which a route in the input attaches and forwards requests to backends: everything the clients send, credentials and session cookies included, crosses the network in clear text. A listener whose routes only redirect to HTTPS is not reported.",
      remediation: "Serve the route on an HTTPS listener (tls.certificateRefs), and keep the HTTP listener only for a RequestRedirect filter with scheme: https.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.Listener`,
    },
  },
  {
    id: "gateway/grant-to-every-service",
    title: "ReferenceGrant to every Service of its namespace",
    family: "gateway",
    pillar: "network",
    severity: "low",
    docs: {
      description:
        "A ReferenceGrant whose `to` names no Service lets routes in the namespaces it trusts send traffic to every Service of this namespace, those added later too, where least privilege names the ones they need.",
      remediation: "Name each Service the routes need (`to: [{group: \"\", kind: Service, name: ...}]`), one entry each.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1beta1.ReferenceGrant`,
    },
  },
  {
    id: "gateway/listener-conflict",
    title: "Gateway listener Conflicted with another listener of its port",
    family: "gateway",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "Two listeners of a Gateway, or of the Gateway and the ListenerSets it admits, share a port and cannot be told apart: the same protocol for the same hostname (HostnameConflict), or protocols one port cannot carry together: TCP with HTTP, HTTPS or TLS, two TCP or two UDP listeners (which have no hostname to tell them apart), HTTPS and TLS for the same hostname (ProtocolConflict). A Conflicted listener is neither Accepted nor Programmed, and the routes attached to it reach nothing. Of two in one Gateway or one ListenerSet, both lose; otherwise the Gateway's own listener wins, then the oldest ListenerSet, then the first by namespace/name.",
      remediation: "Give the losing listener a hostname or port of its own, or remove it and attach its routes to the listener that wins.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.GatewaySpec`,
    },
  },
  {
    id: "gateway/listener-set-not-accepted",
    title: "ListenerSet that is not Accepted, so it carries nothing",
    family: "gateway",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "A ListenerSet whose Gateway's allowedListeners do not admit its namespace (Accepted=False, NotAllowed), or none of whose listeners is valid, every one being Conflicted with a listener that takes precedence or with another of the set (Accepted=False, ListenersNotValid). One the API server would refuse, or whose Gateway it would refuse, never exists and has no condition: gateway/invalid-object reports it. Its Gateway does not count it among its AttachedListenerSets, and the routes attached to it reach nothing.",
      remediation: "Ask the Gateway's owners to admit the ListenerSet's namespace (spec.allowedListeners), or give its listeners hostnames or ports no other listener of the Gateway serves.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.ListenerSet`,
    },
  },
  {
    id: "gateway/route-not-accepted",
    title: "Route that a Gateway in the input does not accept",
    family: "gateway",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "A route names a Gateway (or ListenerSet) that the input holds, or asks for the default Gateways (spec.useDefaultGateways) and a default Gateway in the input claims its scope, and none of that parent's listeners admits it: sectionName or port names no listener, the listener takes other route kinds, admits routes of other namespaces only, or serves hostnames the route's do not meet; or the ListenerSet it names is not Accepted; or the API server would refuse that parent (or the Gateway a ListenerSet joins), so that it never exists, and nothing is assumed of it as of a parent the input lacks. The route carries no traffic through that parent, whatever its author expects; the finding says why, listener by listener, or names the refusal (gateway/invalid-object, at its file:line) and whether the parent's listeners as written admit the route once it is fixed.",
      remediation: "Change the route (parentRef sectionName or port, hostnames) or ask the Gateway's owners to admit it (allowedRoutes namespaces and kinds).",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.ParentReference`,
    },
  },
  {
    id: "gateway/parent-not-in-input",
    title: "Route or ListenerSet whose Gateway is not in the input, assumed to accept it",
    family: "gateway",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "A route names a Gateway or ListenerSet the input does not hold, or asks for the default Gateways (spec.useDefaultGateways) and the input holds no Gateway claiming its scope; or a ListenerSet names a Gateway the input does not hold. Whether that parent accepts the route (its listeners, allowedRoutes, hostnames), or the Gateway admits the ListenerSet (allowedListeners, listener precedence), cannot be judged, so Palisade assumes it does: the route's backends count as published outside the cluster, in posture too, where the route's text says `assumed`. A scan of one team's manifests often lacks the platform team's Gateway; this finding says which conclusions rest on that assumption. A parent the input holds that the API server would refuse is not assumed anything of: the input says what it is, and that never exists (gateway/route-not-accepted says so at the route).",
      remediation: "Scan the Gateway (and its ListenerSets) together with the route, for instance by adding the platform repository's manifests or scanning the live cluster, so that the route is judged rather than assumed; or correct the parentRef if it names a Gateway that does not exist.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.ParentReference`,
    },
  },
  {
    id: "gateway/namespace-not-in-input",
    title: "Route whose namespace is not in the input, assumed to match a listener's namespace selector",
    family: "gateway",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "A route attaches through a listener with allowedRoutes.namespaces.from: Selector whose selector asks for a label other than kubernetes.io/metadata.name, and the input holds no Namespace of the route's. Of that namespace only its name label, which the API server sets, is known, so whether the selector matches cannot be judged: Palisade assumes it does, as it assumes a Gateway the input lacks accepts the route, and the route's backends count as published. A selector whose requirements on the name label already exclude the namespace is judged as usual (gateway/route-not-accepted).",
      remediation: "Scan the route's Namespace (with its labels) together with the route, or scan the live cluster, so that the listener's selector is judged rather than assumed.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1.RouteNamespaces`,
    },
  },
  {
    id: "gateway/backend-not-permitted",
    title: "Route backend in another namespace that no ReferenceGrant permits",
    family: "gateway",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "An accepted route sends to a Service in another namespace, and no ReferenceGrant in that namespace lets routes of its kind and namespace refer to it. The Gateway refuses the reference (ResolvedRefs=False, RefNotPermitted): the requests meant for that backend fail (an HTTPRoute answers them with 500). Reported when the input holds the Service, so that its namespace's grants are known.",
      remediation: "Add a ReferenceGrant in the Service's namespace with `from: [{group: gateway.networking.k8s.io, kind: <route kind>, namespace: <route namespace>}]` and `to: [{group: \"\", kind: Service, name: <service>}]`, or move the route.",
      helpUri: `${SPEC}#gateway.networking.k8s.io/v1beta1.ReferenceGrant`,
    },
  },
];

const RULE = new Map(GATEWAY_RULES.map((rule) => [rule.id, rule]));

function finding(ruleId: string, loaded: LoadedObject, path: FieldPath, message: string): Finding {
  return findingAt(RULE.get(ruleId) as Rule, loaded, path, message);
}

const parentName = (parent: RouteParent) => `${parent.kind} ${parent.namespace}/${parent.name}`;

export function checkGateways(snapshot: Snapshot): Finding[] {
  const model = readGatewayApi(snapshot.objects);
  const services = new Set(snapshot.objects.filter(({ object }) => object.kind === "Service" && object.apiVersion === "v1").map(({ object }) => `${object.metadata?.namespace ?? "default"}/${object.metadata?.name ?? ""}`));
  const unknownLabels = assumedNamespaceLabels(model).map(({ route, path, message }) => finding("gateway/namespace-not-in-input", route.loaded, path, message));
  return [...invalidObjects(snapshot.objects), ...conflictedListeners(model), ...listenerSetsNotAccepted(model), ...everyNamespace(model), ...plaintext(model), ...broadGrants(model), ...refusedRoutes(model), ...assumedGateways(model), ...assumedParents(model), ...unknownLabels, ...refusedBackends(model, services)];
}

function invalidObjects(objects: readonly LoadedObject[]): Finding[] {
  return objects.flatMap((loaded) => {
    if (!isGatewayApiObject(loaded.object)) return [];
    const name = `${loaded.object.kind} ${loaded.object.metadata?.namespace ?? "default"}/${loaded.object.metadata?.name ?? "?"}`;
    return gatewayObjectProblemsOnce(loaded.object).map((problem) => finding("gateway/invalid-object", loaded, problem.path, `${name}: ${formatFieldPath(problem.path)}: ${problem.message}`));
  });
}

function refusedRoutes(model: GatewayApi): Finding[] {
  return model.routes.flatMap((route) =>
    route.refusals.map((refusal) => {
      // A default Gateway's claim has no parentRef: the finding points at the field that asks for it.
      const path = refusal.parentRef === undefined ? ["spec", "useDefaultGateways"] : ["spec", "parentRefs", refusal.parentRef];
      if (refusal.refusedByApiServer) return finding("gateway/route-not-accepted", route.loaded, path, `${route.kind} ${route.namespace}/${route.name} ${neverExists(refusal, refusal.refusedByApiServer)}`);
      // The condition the Gateway sets on the route, so that the finding reads as its status will.
      const status = refusal.reason ? ` (Accepted=False, ${refusal.reason})` : "";
      const parent = refusal.defaultScope === undefined ? refusal.label : `${refusal.label}, a default Gateway of scope ${refusal.defaultScope}`;
      // The specification lets a route attach to a Conflicted listener: it is not refused, it reaches nothing.
      const verdict =
        refusal.parentNotAccepted === "ListenersNotValid"
          ? `reaches nothing through ${parent}, which is not Accepted (ListenersNotValid)`
          : refusal.conflicted
            ? `reaches nothing through ${parent}`
            : `is not accepted by ${parent}${status}`;
      return finding("gateway/route-not-accepted", route.loaded, path, `${route.kind} ${route.namespace}/${route.name} ${verdict}: ${refusal.reasons.join("; ")}`);
    }),
  );
}

/**
 * A route's parent that the API server would refuse: no Gateway ever sets the route's status
 * for it, so the finding names the refusal and where it is reported, and says whether fixing
 * it is enough for the route to attach.
 */
function neverExists(refusal: Refusal, refused: ApiServerRefusal): string {
  const parent = refusal.defaultScope === undefined ? refusal.label : `${refusal.label}, a default Gateway of scope ${refusal.defaultScope}`;
  const own = refused.label === refusal.label;
  const where = `gateway/invalid-object at ${formatPosition(refused.loaded.source.locate(refused.path))}, ${formatFieldPath(refused.path)}${refused.problems > 1 ? ` and ${refused.problems - 1} more` : ""}`;
  const cause = own ? `the API server would refuse that ${refused.kind} (${where}), so it never exists` : `the API server would refuse its ${refused.label} (${where}), so it joins no Gateway`;
  const fix = own ? "fix it" : `fix that ${refused.kind}`;
  const then = refusal.reasons.length === 0 ? `${fix} and this route attaches` : `even once fixed, it would not accept the route as written: ${refusal.reasons.join("; ")}`;
  return `attaches to nothing through ${parent}: ${cause}; ${then}`;
}

/** Each parent a route asks for that the input does not hold, at the parentRef (or useDefaultGateways) that asks for it. */
function assumedParents(model: GatewayApi): Finding[] {
  return model.routes.flatMap((route) =>
    route.attachments.flatMap((attachment) => {
      if (attachment.parent) return [];
      const parent = attachment.label.slice(0, -NOT_IN_INPUT.length);
      const named = attachment.parentRef !== undefined;
      const asks = named ? `names ${parent}, which the input does not hold` : `asks for a ${parent} (spec.useDefaultGateways), and the input holds no Gateway whose defaultScope claims it`;
      const backends = [...new Set(serviceBackends(route.loaded.object).map((b) => (b.namespace === route.namespace ? b.name : `${b.namespace}/${b.name}`)))];
      const consequence = backends.length > 0 ? `, so the Services it sends to (${backends.join(", ")}) count as published outside the cluster` : "";
      const path = named ? ["spec", "parentRefs", attachment.parentRef as number] : ["spec", "useDefaultGateways"];
      return [finding("gateway/parent-not-in-input", route.loaded, path, `${route.kind} ${route.namespace}/${route.name} ${asks}: Palisade assumes it accepts the route${consequence}; scan it with the route to have the route judged`)];
    }),
  );
}

/** Each ListenerSet whose Gateway the input does not hold, at its parentRef: its admission and precedence are assumed. */
function assumedGateways(model: GatewayApi): Finding[] {
  return model.parents.flatMap((parent) => {
    if (!parent.gatewayNotInInput) return [];
    return [
      finding(
        "gateway/parent-not-in-input",
        parent.loaded,
        ["spec", "parentRef"],
        `${parentName(parent)} names Gateway ${parent.gatewayKey}, which the input does not hold: Palisade assumes the Gateway admits it (allowedListeners) and has no listener that takes precedence over its own, so the routes attached to it count as accepted; scan the Gateway with the ListenerSet to have it judged`,
      ),
    ];
  });
}

/** Why the rival keeps the port, or that neither does. */
function precedence(conflict: ListenerConflict, parent: RouteParent): string {
  if (!conflict.rivalWins) return `two listeners of one ${parent.kind} that conflict both lose, so neither is Accepted or Programmed`;
  if (conflict.rival.owner.kind === "Gateway") return "the parent Gateway's own listeners take precedence over a ListenerSet's";
  const order = "the older ListenerSet takes precedence, then the first by namespace/name";
  return conflict.orderUnknown ? `${order} (the input lacks a creationTimestamp, so this order is assumed: whichever is created first wins)` : order;
}

function conflictedListeners(model: GatewayApi): Finding[] {
  const findings: Finding[] = [];
  for (const parent of model.parents) {
    // A parent the API server refuses takes no part in conflicts (gateway-api.ts): it has none.
    for (const [l, conflict] of [...parent.conflicts].sort((a, b) => a[0] - b[0])) {
      const listener = parent.listeners[l];
      findings.push(
        finding(
          "gateway/listener-conflict",
          parent.loaded,
          ["spec", "listeners", l],
          `${listenerLabel(listener, l)} of ${parentName(parent)} is Conflicted (${conflict.reason}) with ${rivalLabel(conflict)} on port ${conflict.port}: ${conflict.why}; ${precedence(conflict, parent)}. It is not Accepted, and the routes attached to it reach nothing`,
        ),
      );
    }
  }
  return findings;
}

/** Each ListenerSet that is not Accepted, at its own line, with the reason its Accepted condition gives. */
function listenerSetsNotAccepted(model: GatewayApi): Finding[] {
  const gateways = new Set(model.parents.filter((p) => p.kind === "Gateway").map((p) => p.gatewayKey));
  // ListenersNotValid: every listener is Conflicted (one without a port or protocol makes the set refused instead).
  const invalid = (parent: RouteParent) =>
    [...parent.conflicts].sort((a, b) => a[0] - b[0]).map(([l, conflict]) => `${listenerLabel(parent.listeners[l] as Record<string, unknown>, l)} is Conflicted (${conflict.reason}) with ${rivalLabel(conflict)} on port ${conflict.port}`);
  return model.parents.flatMap((parent) => {
    // One that never exists (it, or its Gateway, refused) has no Accepted condition: the refusal is its finding.
    if (parent.notAccepted === undefined || parent.refusedByApiServer) return [];
    const why = parent.notAccepted === "NotAllowed" ? `Gateway ${parent.gatewayKey}'s allowedListeners do not admit ListenerSets of namespace ${parent.namespace}` : `none of its listeners is valid (${invalid(parent).join("; ")})`;
    // A Gateway the input holds is one whose status Palisade can speak for.
    const uncounted = gateways.has(parent.gatewayKey) ? ` Gateway ${parent.gatewayKey} does not count it among its AttachedListenerSets, and` : "";
    return [finding("gateway/listener-set-not-accepted", parent.loaded, [], `${parentName(parent)} is not Accepted (${parent.notAccepted}): ${why}, so${uncounted} the routes attached to it reach nothing`)];
  });
}

function refusedBackends(model: GatewayApi, services: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const route of model.routes) {
    if (route.attachments.length === 0) continue;
    for (const backend of serviceBackends(route.loaded.object)) {
      if (backend.namespace === route.namespace || !services.has(`${backend.namespace}/${backend.name}`)) continue;
      if (backendPermitted(model, route.kind, route.namespace, backend)) continue;
      findings.push(
        finding(
          "gateway/backend-not-permitted",
          route.loaded,
          backend.path,
          `${route.kind} ${route.namespace}/${route.name} sends to Service ${backend.namespace}/${backend.name}, but no ReferenceGrant in ${backend.namespace} lets ${route.kind}s of ${route.namespace} refer to it: the Gateway refuses the reference (ResolvedRefs=False, RefNotPermitted), and the traffic meant for it fails`,
        ),
      );
    }
  }
  return findings;
}

function everyNamespace(model: GatewayApi): Finding[] {
  const findings: Finding[] = [];
  for (const parent of model.parents) {
    parent.listeners.forEach((listener, l) => {
      const namespaces = isRecord(listener.allowedRoutes) && isRecord(listener.allowedRoutes.namespaces) ? listener.allowedRoutes.namespaces : undefined;
      const every = admitsEveryNamespace(namespaces);
      if (every === undefined) return;
      // A selector that matches everything is reported at the selector: `from: Selector` itself is not the fault.
      const path = ["spec", "listeners", l, "allowedRoutes", "namespaces", every === "All" ? "from" : "selector"];
      const how = every === "All" ? "" : " (from: Selector, with a selector every namespace matches)";
      const hostname = typeof listener.hostname === "string" && listener.hostname !== "" ? `hostname ${listener.hostname}` : "every hostname";
      findings.push(finding("gateway/routes-from-every-namespace", parent.loaded, path, `${listenerLabel(listener, l)} of ${parentName(parent)} accepts routes from every namespace${how}: a route in any of them can take traffic for ${hostname}`));
    });
  }
  return findings;
}

/**
 * A rule that sends requests on to backends (not one that only redirects them). A rule with
 * a redirect beside its backendRefs does not: the API server refuses it (gateway/invalid-object
 * says so), so it forwards nothing, and telling its author to encrypt it would point at the wrong fix.
 */
function forwards(route: LoadedObject): boolean {
  const spec = isRecord(route.object.spec) ? route.object.spec : {};
  const redirects = (rule: Record<string, unknown>) => Array.isArray(rule.filters) && rule.filters.some((filter) => isRecord(filter) && filter.requestRedirect != null);
  return (Array.isArray(spec.rules) ? spec.rules : []).some((rule) => isRecord(rule) && Array.isArray(rule.backendRefs) && rule.backendRefs.length > 0 && !redirects(rule));
}

function plaintext(model: GatewayApi): Finding[] {
  // Listener by parent and index -> the forwarding routes that attach to it.
  const carried = new Map<RouteParent, Map<number, string[]>>();
  for (const route of model.routes) {
    if (!forwards(route.loaded)) continue;
    for (const { parent, listeners } of route.attachments) {
      if (!parent) continue;
      for (const l of listeners) {
        const listener = parent.listeners[l];
        // Core protocol names are case-insensitive: "http" is as clear-text as "HTTP".
        if (!listener || listenerProtocol(listener) !== "HTTP") continue;
        const byListener = carried.get(parent) ?? new Map<number, string[]>();
        carried.set(parent, byListener);
        const routes = byListener.get(l);
        if (routes) routes.push(`${route.kind} ${route.namespace}/${route.name}`);
        else byListener.set(l, [`${route.kind} ${route.namespace}/${route.name}`]);
      }
    }
  }
  const findings: Finding[] = [];
  for (const [parent, byListener] of carried) {
    for (const [l, routes] of [...byListener].sort((a, b) => a[0] - b[0])) {
      const listener = parent.listeners[l] as Record<string, unknown>;
      const port = typeof listener.port === "number" ? `, port ${listener.port}` : "";
      const shown = routes.length > 3 ? `${routes.slice(0, 3).join(", ")} and ${routes.length - 3} more` : routes.join(", ");
      findings.push(finding("gateway/plaintext-listener", parent.loaded, ["spec", "listeners", l, "protocol"], `${listenerLabel(listener, l)} of ${parentName(parent)} (HTTP${port}) forwards ${shown} to backends unencrypted`));
    }
  }
  return findings;
}

function broadGrants(model: GatewayApi): Finding[] {
  const findings: Finding[] = [];
  for (const loaded of model.grants) {
    const spec = isRecord(loaded.object.spec) ? loaded.object.spec : {};
    const from = (Array.isArray(spec.from) ? spec.from.filter(isRecord) : []).map((f) => `${String(f.kind)} in ${String(f.namespace)}`);
    (Array.isArray(spec.to) ? spec.to : []).forEach((to, t) => {
      if (!isRecord(to) || (to.group ?? "") !== "" || to.kind !== "Service" || (typeof to.name === "string" && to.name !== "")) return;
      const namespace = loaded.object.metadata?.namespace ?? "default";
      findings.push(finding("gateway/grant-to-every-service", loaded, ["spec", "to", t], `routes (${from.join(", ") || "none named"}) may send traffic to every Service of namespace ${namespace}, those created later too`));
    });
  }
  return findings;
}

export const gatewayFamily: ScanFamily = {
  id: "gateway",
  rules: GATEWAY_RULES,
  check: (snapshot) => checkGateways(snapshot),
  // With Gateway API input, Namespaces too (a listener's namespace selector matches their
  // labels) and Services (a backend the input holds has known grants).
  reads: (input) => (input.mentions("gateway.networking.") ? (object) => isGatewayApiObject(object) || object.kind === "Namespace" || object.kind === "Service" : READS_NOTHING),
};
