/**
 * gateway/invalid-object for the listener rules of the Gateway and ListenerSet CRDs (apis/v1
 * GatewaySpec.Listeners, ListenerSetSpec.Listeners and ListenerTLSConfig CEL rules): tls and
 * hostname by protocol, the TLS mode, and unique port/protocol/hostname combinations; and
 * that a resource the API server refuses for two indistinct listeners is not also reported
 * as having Conflicted listeners, which it never gets the chance to have.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { gatewayObjectProblems } from "../../src/network/gateway/validate.js";
import { runScan } from "../../src/scan/run.js";

const UNIQUE = "Combination of port, protocol and hostname must be unique for each listener";
const cert = { certificateRefs: [{ name: "cert" }] };

const object = (kind: string, listeners: unknown[]): K8sObject => ({
  apiVersion: kind === "XListenerSet" ? "gateway.networking.x-k8s.io/v1alpha1" : "gateway.networking.k8s.io/v1",
  kind,
  metadata: { name: "edge", namespace: "infra" },
  spec: kind === "Gateway" ? { gatewayClassName: "example", listeners } : { parentRef: { name: "edge" }, listeners },
});
const problems = (listeners: unknown[], kind = "Gateway") => gatewayObjectProblems(object(kind, listeners)).map((p) => `${p.path.join(".")}: ${p.message}`);

async function scan(yaml: string): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-listener-rules-")), "gateway.yaml");
  writeFileSync(file, yaml);
  const result = runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]);
  expect(result.problems).toEqual([]);
  return result.findings.map((f) => `${f.position?.line} ${f.ruleId} ${f.object?.kind}/${f.object?.name}: ${f.message}`);
}

describe("listener rules of the Gateway and ListenerSet CRDs", () => {
  it("tls is forbidden on HTTP, TCP and UDP listeners", () => {
    expect(problems([{ name: "web", port: 80, protocol: "HTTP", tls: cert }])).toEqual(["spec.listeners.0.tls: Forbidden: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'] (this listener is HTTP)"]);
    expect(problems([{ name: "db", port: 5432, protocol: "TCP", tls: {} }])).toEqual(["spec.listeners.0.tls: Forbidden: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'] (this listener is TCP)"]);
    expect(problems([{ name: "dns", port: 53, protocol: "UDP", tls: { mode: "Passthrough" } }])).toEqual(["spec.listeners.0.tls: Forbidden: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'] (this listener is UDP)"]);
  });

  it("an HTTPS listener's tls mode is Terminate; HTTPS without tls is not refused by the CRD", () => {
    expect(problems([{ name: "web", port: 443, protocol: "HTTPS", tls: { mode: "Passthrough" } }])).toEqual([
      'spec.listeners.0.tls.mode: Invalid value: "Passthrough": tls mode must be Terminate for protocol HTTPS (an HTTPS listener decrypts to route by HTTP; TLS passthrough is a TLS listener\'s)',
    ]);
    expect(problems([{ name: "web", port: 443, protocol: "HTTPS" }])).toEqual([]);
    expect(problems([{ name: "web", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", ...cert } }])).toEqual([]);
  });

  it("a TLS listener needs tls (GEP-2643), and a mode that is not of the enum is refused", () => {
    for (const kind of ["Gateway", "ListenerSet", "XListenerSet"]) {
      expect(problems([{ name: "sni", port: 8443, protocol: "TLS" }], kind)).toEqual([
        "spec.listeners.0.tls: Required value: tls mode must be set for protocol TLS (Passthrough hands the connection to a TLSRoute's backends; Terminate needs certificateRefs)",
      ]);
      expect(problems([{ name: "sni", port: 8443, protocol: "TLS", tls: { mode: "Passthrough" } }], kind)).toEqual([]);
    }
    expect(problems([{ name: "sni", port: 8443, protocol: "TLS", tls: { mode: "passthrough" } }])).toEqual(['spec.listeners.0.tls.mode: Unsupported value: "passthrough": supported values: "Terminate", "Passthrough"']);
  });

  it("Terminate (the default mode) needs certificateRefs or options", () => {
    expect(problems([{ name: "sni", port: 8443, protocol: "TLS", tls: {} }])).toEqual(["spec.listeners.0.tls.certificateRefs: Required value: certificateRefs or options must be specified when mode is Terminate (mode defaults to Terminate)"]);
    expect(problems([{ name: "web", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [] } }])).toEqual(["spec.listeners.0.tls.certificateRefs: Required value: certificateRefs or options must be specified when mode is Terminate"]);
    expect(problems([{ name: "web", port: 443, protocol: "HTTPS", tls: { options: { "example.com/cert-source": "vault" } } }])).toEqual([]);
    expect(problems([{ name: "web", port: 443, protocol: "HTTPS", tls: { certificateRefs: [{ kind: "Secret" }, "cert"] } }])).toEqual([
      "spec.listeners.0.tls.certificateRefs.0.name: Required value",
      'spec.listeners.0.tls.certificateRefs.1: Invalid value: must be a mapping, not "cert"',
    ]);
  });

  it("hostname is forbidden on TCP and UDP listeners", () => {
    expect(problems([{ name: "db", port: 5432, protocol: "TCP", hostname: "db.example.com" }])).toEqual([
      "spec.listeners.0.hostname: Forbidden: hostname must not be specified for protocols ['TCP', 'UDP'] (this listener is TCP, which has no hostname to match)",
    ]);
    expect(problems([{ name: "dns", port: 53, protocol: "UDP", hostname: "dns.example.com" }], "ListenerSet")).toEqual([
      "spec.listeners.0.hostname: Forbidden: hostname must not be specified for protocols ['TCP', 'UDP'] (this listener is UDP, which has no hostname to match)",
    ]);
  });

  it("port, protocol and hostname together are unique: at the repeat, naming the first", () => {
    expect(problems([{ name: "a", port: 80, protocol: "HTTP", hostname: "shop.example.com" }, { name: "b", port: 80, protocol: "HTTP" }, { name: "c", port: 80, protocol: "HTTP", hostname: "shop.example.com" }])).toEqual([
      `spec.listeners.2: Duplicate value: port 80, protocol "HTTP" and hostname "shop.example.com" are also those of listener 0: ${UNIQUE}`,
    ]);
    expect(problems([{ name: "a", port: 80, protocol: "HTTP" }, { name: "b", port: 80, protocol: "HTTP" }], "ListenerSet")).toEqual([`spec.listeners.1: Duplicate value: port 80, protocol "HTTP" and no hostname are also those of listener 0: ${UNIQUE}`]);
    expect(problems([{ name: "db", port: 5432, protocol: "TCP" }, { name: "db-replica", port: 5432, protocol: "TCP" }])).toEqual([
      `spec.listeners.1: Duplicate value: port 5432, protocol "TCP" and no hostname are also those of listener 0: ${UNIQUE} (TCP listeners have no hostname, so each needs a port of its own)`,
    ]);
    // The CEL compares protocols as written: "tcp" and "TCP" pass it (their conflict is left to the Gateway's status).
    expect(problems([{ name: "db", port: 5432, protocol: "TCP" }, { name: "db-replica", port: 5432, protocol: "tcp" }])).toEqual([]);
  });

  it("a listener needs a port; names and protocols follow the CRD's patterns and lengths; at most 64 listeners", () => {
    expect(problems([{ name: "web", protocol: "HTTP" }])).toEqual(["spec.listeners.0.port: Required value: a listener needs a port from 1 to 65535"]);
    expect(problems([{ name: "web", port: 80, protocol: "example.com" }])).toEqual([
      'spec.listeners.0.protocol: Invalid value: "example.com": a protocol is a core name (HTTP, HTTPS, TLS, TCP, UDP) or a domain-prefixed one such as example.com/my-protocol',
    ]);
    expect(problems([{ name: "web", port: 80, protocol: "example.com/quic" }])).toEqual([]);
    expect(problems([{ name: "a".repeat(254), port: 80, protocol: "HTTP" }])).toEqual([`spec.listeners.0.name: Invalid value: "${"a".repeat(254)}": a listener name is a lower-case DNS subdomain of at most 253 characters`]);
    const many = Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 1000 + i, protocol: "HTTP" }));
    expect(problems(many)).toEqual(["spec.listeners: Too many: 65 entries, the most allowed is 64"]);
  });

  it("property: listeners differing in any of port, protocol or hostname are never refused as indistinct; identical ones always are", () => {
    const listener = fc.record({ port: fc.constantFrom(80, 443, 8080), protocol: fc.constantFrom("HTTP", "HTTPS", "http", "example.com/h3"), hostname: fc.option(fc.constantFrom("a.example.com", "*.example.com"), { nil: undefined }) });
    fc.assert(
      // Half the pairs are one listener twice, so that identical combinations are always tried.
      fc.property(listener, listener, fc.boolean(), (a, other, twice) => {
        const b = twice ? a : other;
        const tls = (l: typeof a) => (l.protocol === "HTTPS" ? { tls: cert } : {});
        const strip = (l: typeof a) => (l.hostname === undefined ? { port: l.port, protocol: l.protocol } : l);
        const found = problems([{ name: "a", ...strip(a), ...tls(a) }, { name: "b", ...strip(b), ...tls(b) }]);
        const same = a.port === b.port && a.protocol === b.protocol && a.hostname === b.hostname;
        expect(found.some((p) => p.includes(UNIQUE))).toBe(same);
        expect(found.filter((p) => !p.includes(UNIQUE))).toEqual([]);
      }),
    );
  });
});

describe("a refused resource is not also reported as having Conflicted listeners", () => {
  const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: infra
spec:
  gatewayClassName: example
  allowedListeners:
    namespaces:
      from: Same
  listeners:
    - name: db
      port: 5432
      protocol: TCP
    - name: db-replica
      port: 5432
      protocol: TCP
`;

  it("two TCP listeners on one port of a Gateway: the refusal alone, at the second", async () => {
    expect(await scan(gateway)).toEqual([
      `15 gateway/invalid-object Gateway/edge: Gateway infra/edge: spec.listeners[1]: Duplicate value: port 5432, protocol "TCP" and no hostname are also those of listener 0: ${UNIQUE} (TCP listeners have no hostname, so each needs a port of its own)`,
    ]);
  });

  it("a ListenerSet whose only listeners are indistinct: the refusal alone, not ListenersNotValid", async () => {
    const set = `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata:
  name: team
  namespace: infra
spec:
  parentRef:
    name: edge
  listeners:
    - name: a
      port: 53
      protocol: UDP
    - name: b
      port: 53
      protocol: UDP
`;
    const valid = gateway.replace("port: 5432\n      protocol: TCP\n", "port: 5433\n      protocol: TCP\n");
    expect(await scan(valid + set)).toEqual([
      `31 gateway/invalid-object ListenerSet/team: ListenerSet infra/team: spec.listeners[1]: Duplicate value: port 53, protocol "UDP" and no hostname are also those of listener 0: ${UNIQUE} (UDP listeners have no hostname, so each needs a port of its own)`,
    ]);
  });

  it("listeners the CRD accepts but the Gateway cannot tell apart ('tcp' and 'TCP' on one port) are still reported Conflicted", async () => {
    const findings = await scan(gateway.replace("port: 5432\n      protocol: TCP\n", "port: 5432\n      protocol: tcp\n"));
    expect(findings.map((f) => f.split(":")[0])).toEqual(["12 gateway/listener-conflict Gateway/edge", "15 gateway/listener-conflict Gateway/edge"]);
  });
});
