/**
 * The posture model: findings land on the workload and pillar they are about, facts
 * about identity, reach and data cost what scoring.ts says, and platform findings stay
 * with the cluster.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPostureHtml } from "../../src/posture/html/page.js";
import { postureJsonPieces } from "../../src/posture/render-json.js";
import { deployment, postureOf, ruleIds, workload } from "./support.js";

const NAMESPACE = (name: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${name}}
---
`;

describe("posture: findings on workloads", () => {
  it("a workload that passes everything with its own account and no token scores 100 on identity and workload", async () => {
    const report = await postureOf(
      NAMESPACE("shop") +
        `apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
` +
        deployment("web", "shop", "      serviceAccountName: web"),
    );
    const web = workload(report, "web");
    expect(web.pillars.identity).toEqual({ score: 100, deductions: [] });
    expect(web.pillars.workload).toEqual({ score: 100, deductions: [] });
    expect(web.facts).toContain("its pods carry no token for ServiceAccount shop/web (automountServiceAccountToken: false)");
  });

  it("a rule costs once per workload, at its highest severity, counting its findings", async () => {
    const report = await postureOf(
      deployment("two", "shop").replace(
        "          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}",
        `          securityContext: {privileged: true}
        - name: sidecar
          image: registry.example.com/side@sha256:${"b".repeat(64)}
          securityContext: {privileged: true}
        - name: logger
          image: registry.example.com/log@sha256:${"c".repeat(64)}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}`,
      ),
    );
    const two = workload(report, "two");
    const privileged = two.pillars.workload.deductions.find((d) => d.ruleId === "pss/privileged");
    expect(privileged).toMatchObject({ count: 1, points: 60, severity: "critical", pillar: "workload" });
    expect(privileged?.reason).toContain('containers "app", "sidecar"');
    expect(privileged?.position?.line).toBeGreaterThan(0);
    // One finding per container, one deduction.
    expect(two.pillars.workload.deductions.filter((d) => d.ruleId === "quota/container-without-resources")).toMatchObject([{ count: 2, points: 5 }]);
    // 100 x (1 - 0.6) x ... : each rule once, every further one a share of what is left.
    const expected = Math.round(100 * two.pillars.workload.deductions.reduce((share, d) => share * (1 - d.points / 100), 1));
    expect(two.pillars.workload.score).toBe(expected);
    expect(two.score).toBe(Math.min(...Object.values(two.pillars).map((p) => p.score)));
    expect(two.grade).toBe(two.score >= 90 ? "A" : two.score >= 75 ? "B" : two.score >= 50 ? "C" : two.score >= 25 ? "D" : "F");
  });

  it("a dump with a Deployment's ReplicaSet and Pods (kubectl get all) charges what they carry to the Deployment, not to the cluster", async () => {
    const owned = (kind: string, apiVersion: string, name: string, owner: string, ownerKind: string) =>
      `---
apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: ${name}, namespace: shop, labels: {app: web}, ownerReferences: [{apiVersion: apps/v1, kind: ${ownerKind}, name: ${owner}, uid: u-${owner}, controller: true}]}
spec:
${kind === "ReplicaSet" ? "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]" : "  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]"}
`;
    const report = await postureOf(
      deployment("web", "shop") +
        owned("ReplicaSet", "apps/v1", "web-5d9f", "web", "Deployment") +
        owned("Pod", "v1", "web-5d9f-abcde", "web-5d9f", "ReplicaSet"),
    );
    expect(report.workloads.map((w) => `${w.ref.kind}/${w.ref.name}`)).toEqual(["Deployment/web"]);
    expect(report.clusterFindings.filter((f) => f.object?.name?.startsWith("web-"))).toEqual([]);
    // Only the ReplicaSet and the Pod are privileged: their findings are the Deployment's.
    expect(ruleIds(workload(report, "web"))).toContain("pss/privileged");
  });


  it("a Deployment with no namespace is in default: its ReplicaSet's findings that name default are its own", async () => {
    const report = await postureOf(
      deployment("web", "default").replace("metadata: {name: web, namespace: default}", "metadata: {name: web}") +
        `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d9f, namespace: default, labels: {app: web}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u-web, controller: true}]}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
`,
    );
    expect(report.workloads.map((w) => `${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`)).toEqual(["default/Deployment/web"]);
    expect(report.clusterFindings.filter((f) => f.object?.name === "web-5d9f")).toEqual([]);
    expect(ruleIds(workload(report, "web"))).toContain("pss/privileged");
  });
  it("kube-apiserver's flags are the cluster's findings, not its static pod's", async () => {
    const report = await postureOf(`apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  hostNetwork: true
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.31.0
      command: [kube-apiserver, --anonymous-auth=true, --authorization-mode=Node,RBAC]
`);
    const pod = workload(report, "kube-apiserver");
    expect(ruleIds(pod).filter((id) => id.startsWith("apiserver/"))).toEqual([]);
    expect(report.clusterFindings.map((f) => f.ruleId)).toContain("apiserver/anonymous-auth");
    // Most severe first.
    const ranks = report.clusterFindings.map((f) => ["info", "low", "medium", "high", "critical"].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });
});

describe("posture: identity", () => {
  const reader = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: shop}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-reads-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
---
`;

  it("a mounted token is worth what RBAC grants its account, pointing at the rule that grants it", async () => {
    const report = await postureOf(reader + deployment("api", "shop", "      serviceAccountName: api"));
    const api = workload(report, "api");
    const token = api.pillars.identity.deductions.find((d) => d.ruleId === "posture/token-read-secrets");
    expect(token).toMatchObject({ severity: "high", points: 40 });
    expect(token?.reason).toContain("get secrets in shop");
    expect(token?.reason).toContain("RoleBinding shop/api-reads-secrets -> Role secret-reader");
    expect(token?.position).toMatchObject({ line: 5 });
    expect(ruleIds(api)).not.toContain("posture/default-service-account");
  });

  it("a token that may only get pods/exec is worth the lowered grant (v1.35 asks for create too); create here or in another namespace is worth high", async () => {
    const execRole = (verbs: string, namespace: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec-${verbs.replace(/\W/g, "")}, namespace: ${namespace}}
rules:
  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [${verbs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-exec-${verbs.replace(/\W/g, "")}, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec-${verbs.replace(/\W/g, "")}}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
---
`;
    const exec = (report: Awaited<ReturnType<typeof postureOf>>) => workload(report, "api").pillars.identity.deductions.find((d) => d.ruleId === "posture/token-pod-exec");
    const getOnly = await postureOf(execRole("get", "shop") + deployment("api", "shop", "      serviceAccountName: api"));
    expect(exec(getOnly)).toMatchObject({ severity: "medium" });
    const createElsewhere = await postureOf(execRole("get", "shop") + execRole("create", "batch") + deployment("api", "shop", "      serviceAccountName: api"));
    expect(exec(createElsewhere)).toMatchObject({ severity: "high" });
  });

  it("a RoleBinding in another namespace grants its Secrets to the account too, by name or by its namespace's group", async () => {
    // The Role and its binding in kube-system; the subject stays shop's account.
    const elsewhere = reader.replaceAll("namespace: shop}\n", "namespace: kube-system}\n");
    const byGroup = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: batch-edits-infra, namespace: infra}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: "system:serviceaccounts:batch", apiGroup: rbac.authorization.k8s.io}]
---
`;
    const report = await postureOf(elsewhere + byGroup + deployment("api", "shop", "      serviceAccountName: api") + deployment("job", "batch", "      serviceAccountName: job"));
    const api = workload(report, "api").pillars.identity.deductions.find((d) => d.ruleId === "posture/token-read-secrets");
    expect(api?.reason).toContain("get secrets in kube-system");
    expect(api?.reason).toContain("RoleBinding kube-system/api-reads-secrets -> Role secret-reader");
    expect(ruleIds(workload(report, "api"))).not.toContain("posture/token-mounted");
    const job = workload(report, "job").pillars.identity.deductions.find((d) => d.ruleId === "posture/token-read-secrets");
    expect(job?.reason).toContain("get secrets in infra");
    expect(job?.reason).toContain("RoleBinding infra/batch-edits-infra -> ClusterRole edit");
  });

  it("the pod's automountServiceAccountToken wins over its account's", async () => {
    const off = await postureOf(reader + deployment("api", "shop", "      serviceAccountName: api\n      automountServiceAccountToken: false"));
    expect(ruleIds(workload(off, "api")).filter((id) => id.startsWith("posture/token"))).toEqual([]);
    const account = `apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: shop}
automountServiceAccountToken: false
---
`;
    const accountOff = await postureOf(account + reader + deployment("api", "shop", "      serviceAccountName: api"));
    expect(ruleIds(workload(accountOff, "api"))).not.toContain("posture/token-read-secrets");
    const podOn = await postureOf(account + reader + deployment("api", "shop", "      serviceAccountName: api\n      automountServiceAccountToken: true"));
    expect(ruleIds(workload(podOn, "api"))).toContain("posture/token-read-secrets");
  });

  it("a projected token for the API server is a token, whatever automountServiceAccountToken says; one for another audience is not", async () => {
    const projected = (audience: string) =>
      deployment(
        "api",
        "shop",
        `      serviceAccountName: api
      automountServiceAccountToken: false
      volumes:
        - name: token
          projected: {sources: [{configMap: {name: ca}}, {serviceAccountToken: {path: token${audience}}}]}`,
      );
    const forApi = workload(await postureOf(reader + projected("")), "api");
    const token = forApi.pillars.identity.deductions.find((d) => d.ruleId === "posture/token-read-secrets");
    expect(token?.reason).toContain("its pods mount a projected token for ServiceAccount shop/api, which may get secrets in shop");
    const forVault = workload(await postureOf(reader + projected(", audience: vault")), "api");
    expect(ruleIds(forVault).filter((id) => id.startsWith("posture/token"))).toEqual([]);
    // Without the kube-apiserver manifest, whether it accepts that audience is unknown, and said so.
    expect(forVault.facts).toContain(
      "its pods carry projected tokens for other audiences only (vault), which the API server accepts only if its --api-audiences (by default its --service-account-issuer) names one: the input holds no kube-apiserver manifest to tell",
    );
  });

  it("a projected token for an audience kube-apiserver accepts (--api-audiences, else its issuer) is a token", async () => {
    const issuer = "https://kubernetes.default.svc.cluster.local";
    const apiserver = (flags: string) => `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  hostNetwork: true
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.31.0
      command: [kube-apiserver, --authorization-mode=Node,RBAC, ${flags}]
---
`;
    const projected = (audience: string) =>
      deployment("api", "shop", `      serviceAccountName: api\n      automountServiceAccountToken: false\n      volumes:\n        - name: token\n          projected: {sources: [{serviceAccountToken: {path: token, audience: "${audience}"}}]}`);
    const tokenOf = async (flags: string, audience: string) => workload(await postureOf(apiserver(flags) + reader + projected(audience)), "api");
    const byIssuer = await tokenOf(`--service-account-issuer=${issuer}`, issuer);
    expect(byIssuer.pillars.identity.deductions.find((d) => d.ruleId === "posture/token-read-secrets")?.reason).toContain("its pods mount a projected token for ServiceAccount shop/api");
    const listed = await tokenOf(`--service-account-issuer=${issuer}, "--api-audiences=api,vault"`, "vault");
    expect(ruleIds(listed)).toContain("posture/token-read-secrets");
    // --api-audiences set: the issuer is no longer an audience of its own.
    const notListed = await tokenOf(`--service-account-issuer=${issuer}, --api-audiences=api`, issuer);
    expect(ruleIds(notListed).filter((id) => id.startsWith("posture/token"))).toEqual([]);
    expect(notListed.facts).toContain(`its pods carry projected tokens for other audiences only (${issuer}), which the API server does not accept`);
  });

  it("an account bound to cluster-admin reaches it: critical", async () => {
    const report = await postureOf(
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
` + deployment("deployer", "ci", "      serviceAccountName: deployer"),
    );
    const deployer = workload(report, "deployer");
    const ids = ruleIds(deployer);
    expect(ids).toContain("posture/token-read-secrets");
    expect(ids).toContain("posture/token-impersonate");
    expect(deployer.pillars.identity.deductions.find((d) => d.ruleId === "posture/token-read-secrets")?.reason).toContain("in every namespace");
    expect(deployer.pillars.identity.score).toBeLessThan(10);
    expect(deployer.grade).toBe("F");
  });

  it("the default account with a token that grants nothing dangerous costs a little", async () => {
    const report = await postureOf(deployment("plain", "shop"));
    const plain = workload(report, "plain");
    expect(plain.pillars.identity.deductions.map((d) => d.ruleId).sort()).toEqual(["posture/default-service-account", "posture/token-mounted"]);
    expect(plain.pillars.identity.score).toBe(90);
    // Facts point where the fix goes: the pod template, as the manifest has it.
    expect(plain.pillars.identity.deductions.find((d) => d.ruleId === "posture/default-service-account")).toMatchObject({ fieldPath: "spec.template.spec.serviceAccountName", position: { line: 8, column: 5 } });
  });
});

describe("posture: data", () => {
  const secretUser = deployment(
    "db",
    "shop",
    `      volumes:
        - name: creds
          secret: {secretName: db-tls}
        - name: bundle
          projected: {sources: [{secret: {name: ca-bundle}}, {configMap: {name: settings}}]}`,
  ).replace("          securityContext: {allowPrivilegeEscalation", "          env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: db-password, key: p}}}]\n          securityContext: {allowPrivilegeEscalation");
  const plaintext = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - identity: {}
---
`;

  it("reading Secrets costs nothing on its own; into environment variables it does", async () => {
    const db = workload(await postureOf(secretUser), "db");
    expect(db.facts).toContain("reads Secrets ca-bundle, db-password, db-tls");
    expect(db.pillars.data.deductions.map((d) => d.ruleId)).toEqual(["posture/secret-in-env"]);
    expect(db.pillars.data.deductions[0]?.reason).toContain("db-password");
    expect(db.pillars.data.deductions[0]?.reason).not.toContain("db-tls");
    expect(db.pillars.data.deductions[0]).toMatchObject({ fieldPath: "spec.template.spec.containers[0].env[0]", position: { line: 14 } });
  });

  it("says when the input cannot tell whether Secrets are encrypted at rest, and not when it can", async () => {
    const unknown = "whether the cluster encrypts them at rest is unknown: the input holds no EncryptionConfiguration or kube-apiserver manifest (give either to judge it)";
    expect(workload(await postureOf(secretUser), "db").facts).toContain(unknown);
    expect(workload(await postureOf(plaintext + secretUser), "db").facts).not.toContain(unknown);
    const encrypted = plaintext.replace("      - identity: {}", "      - aescbc: {keys: [{name: k1, secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}]}\n      - identity: {}");
    const report = await postureOf(encrypted + secretUser);
    expect(workload(report, "db").facts).not.toContain(unknown);
    expect(ruleIds(workload(report, "db"))).not.toContain("posture/secrets-plaintext-at-rest");
    // A workload that reads no Secret has nothing to say about them.
    expect(workload(await postureOf(deployment("other", "shop")), "other").facts.filter((f) => f.includes("at rest"))).toEqual([]);
  });

  it("Secrets stored in plaintext cost every workload that reads them, citing the encryption finding", async () => {
    const report = await postureOf(plaintext + secretUser + deployment("other", "shop"));
    const db = workload(report, "db");
    const atRest = db.pillars.data.deductions.find((d) => d.ruleId === "posture/secrets-plaintext-at-rest");
    expect(atRest).toMatchObject({ severity: "critical", points: 60 });
    expect(atRest?.reason).toContain("encryption/secrets-not-encrypted");
    expect(atRest?.position?.line).toBeGreaterThan(0);
    expect(workload(report, "other").pillars.data.score).toBe(100);
  });
});

describe("posture: network", () => {
  const loadBalancer = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
`;

  const clusterIp = loadBalancer.replace("  type: LoadBalancer\n", "");
  /** A Gateway infra/public whose HTTPS listener admits routes as `from` says, and a route shop/shop to Service web through it. */
  const gatewayOf = (from: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: example
  listeners: [{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: ${from}}}}]
---
`;
  const httpRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
    - backendRefs: [{name: web, port: 80}]
---
`;

  it("published through a LoadBalancer to every address, and free to connect anywhere", async () => {
    const report = await postureOf(loadBalancer + deployment("web", "shop") + deployment("worker", "shop"));
    const web = workload(report, "web");
    expect(ruleIds(web)).toContain("posture/published-to-every-address");
    const published = web.pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address");
    expect(published?.reason).toContain("Service web (LoadBalancer)");
    // Where it is published: the Service's type.
    expect(published?.position).toMatchObject({ line: 5, column: 3 });
    expect(ruleIds(web)).toContain("posture/egress-to-every-address");
    expect(web.facts).toContain("reachable from 1 of the other 1 workloads");
    expect(ruleIds(workload(report, "worker"))).not.toContain("posture/published-to-every-address");
    const outside = report.graph.edges.filter((e) => e.source === "outside");
    expect(outside.map((e) => report.graph.nodes.find((n) => n.id === e.target)?.label)).toEqual(["Deployment/web"]);
  });

  it("a Gateway API route publishes the workloads behind its Service, once its Gateway accepts it", async () => {
    const published = (report: Awaited<ReturnType<typeof postureOf>>) => workload(report, "web").pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address");
    const open = await postureOf(gatewayOf("All") + httpRoute + clusterIp + deployment("web", "shop") + deployment("worker", "shop"));
    expect(published(open)?.reason).toContain("published outside the cluster through HTTPRoute shop (Gateway infra/public) to Service web");
    // Where it is published: the route's backend.
    expect(published(open)?.position).toMatchObject({ line: 14, column: 21 });
    expect(ruleIds(workload(open, "worker"))).not.toContain("posture/published-to-every-address");
    expect(open.graph.edges.filter((e) => e.source === "outside").map((e) => open.graph.nodes.find((n) => n.id === e.target)?.label)).toEqual(["Deployment/web"]);
    // The Gateway admits routes of its own namespace only: this one is not attached, nothing is published.
    const closed = await postureOf(gatewayOf("Same") + httpRoute + clusterIp + deployment("web", "shop"));
    expect(published(closed)).toBeUndefined();
    expect(closed.graph.edges.filter((e) => e.source === "outside")).toEqual([]);
  });

  it("a load balancer's source ranges and ingress-nginx's allow-list narrow who may connect; a range of every address does not", async () => {
    const published = (report: Awaited<ReturnType<typeof postureOf>>) => workload(report, "web").pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address");
    // Without node ports, the load balancer's addresses are the only way in, and its source ranges guard them.
    const noNodePorts = loadBalancer.replace("  type: LoadBalancer\n", "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n");
    const ranged = await postureOf(noNodePorts.replace("  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24, 198.51.100.7/32]\n") + deployment("web", "shop"));
    expect(published(ranged)).toBeUndefined();
    expect(workload(ranged, "web").facts).toContain("published outside the cluster through Service web (LoadBalancer) on port 80/TCP, to 203.0.113.0/24, 198.51.100.7/32 only");
    // The graph still links the outside to it: some addresses may connect.
    expect(ranged.graph.edges.filter((e) => e.source === "outside")).toHaveLength(1);
    const annotated = await postureOf(noNodePorts.replace("metadata: {name: web, namespace: shop}", "metadata:\n  name: web\n  namespace: shop\n  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: \"10.0.0.0/8\"}") + deployment("web", "shop"));
    expect(published(annotated)).toBeUndefined();
    const everyAddress = await postureOf(loadBalancer.replace("  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]\n") + deployment("web", "shop"));
    expect(published(everyAddress)?.reason).toContain("Service web (LoadBalancer)");

    const ingress = (annotations: string, className = "") => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {${annotations}}
spec:
${className ? `  ingressClassName: ${className}\n` : ""}  defaultBackend: {service: {name: web, port: {number: 80}}}
---
`;
    const allowList = "nginx.ingress.kubernetes.io/allowlist-source-range: \"192.0.2.0/24\"";
    expect(published(await postureOf(ingress(allowList) + clusterIp + deployment("web", "shop")))).toBeUndefined();
    expect(published(await postureOf(ingress(allowList.replace("allowlist", "whitelist")) + clusterIp + deployment("web", "shop")))).toBeUndefined();
    expect(published(await postureOf(ingress("") + clusterIp + deployment("web", "shop")))?.reason).toContain("an Ingress to Service web");
    // Another controller does not read ingress-nginx's annotations.
    const traefik = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
`;
    expect(published(await postureOf(traefik + ingress(allowList, "traefik") + clusterIp + deployment("web", "shop")))?.reason).toContain("an Ingress to Service web");
    expect(published(await postureOf(traefik.replace(/traefik\.io\/ingress-controller/, "k8s.io/ingress-nginx") + ingress(allowList, "traefik") + clusterIp + deployment("web", "shop")))).toBeUndefined();
  });

  it("policies that admit only the ingress controller's pods do not narrow who reaches a routed workload: the controller relays every address", async () => {
    const onlyController = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress-controller, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]
---
`;
    const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
`;
    const routed = await postureOf(onlyController + ingress + loadBalancer.replace("  type: LoadBalancer\n", "") + deployment("web", "shop"));
    const published = workload(routed, "web").pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address");
    expect(published?.reason).toBe(
      "published outside the cluster through an Ingress to Service web, and nothing narrows who may connect: every address outside the cluster reaches its pods through the ingress controller or Gateway",
    );
    expect(routed.graph.edges.filter((e) => e.source === "outside")).toHaveLength(1);
    // Through a load balancer the outside connects itself (kube-proxy forwards; no proxy pod): those policies shut it out.
    const balanced = await postureOf(onlyController + loadBalancer + deployment("web", "shop"));
    expect(ruleIds(workload(balanced, "web"))).not.toContain("posture/published-to-every-address");
    expect(balanced.graph.edges.filter((e) => e.source === "outside")).toEqual([]);
    expect(workload(balanced, "web").facts).toContain("published outside the cluster through Service web (LoadBalancer) on port 80/TCP and an allocated node port, but its policies let no address outside the cluster connect");
  });

  it("when the input holds a Gateway's own pods (GEP-1762's gateway-name label), a route publishes only the workloads whose policies admit them", async () => {
    const gateway = gatewayOf("All") + httpRoute;
    // As Istio deploys a Gateway: its pods, and a LoadBalancer Service for them.
    const gatewayService = (extra = "") => `apiVersion: v1
kind: Service
metadata: {name: public-istio, namespace: infra}
spec:
  type: LoadBalancer
${extra}  selector: {gateway.networking.k8s.io/gateway-name: public}
  ports: [{port: 443}]
---
`;
    const gatewayPods = deployment("public-istio", "infra", "", "gateway.networking.k8s.io/gateway-name: public") + gatewayService();
    const admitting = (namespace: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-gateway, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${namespace}}}}]}]
---
`;
    const open = await postureOf(gateway + gatewayPods + admitting("infra") + clusterIp + deployment("web", "shop"));
    expect(ruleIds(workload(open, "web"))).toContain("posture/published-to-every-address");
    const shut = await postureOf(gateway + gatewayPods + admitting("elsewhere") + clusterIp + deployment("web", "shop"));
    expect(ruleIds(workload(shut, "web"))).not.toContain("posture/published-to-every-address");
    expect(workload(shut, "web").facts).toContain(
      "routed from outside the cluster through HTTPRoute shop (Gateway infra/public) to Service web, but its policies admit none of the pods of Gateway infra/public: nothing reaches it that way",
    );
    expect(shut.graph.edges.filter((e) => e.source === "outside" && shut.graph.nodes.find((n) => n.id === e.target)?.label === "Deployment/web")).toEqual([]);
    // Without the Gateway's pods in the input, the route is taken as delivering.
    const unknown = await postureOf(gateway + admitting("elsewhere") + clusterIp + deployment("web", "shop"));
    expect(ruleIds(workload(unknown, "web"))).toContain("posture/published-to-every-address");
    // The Gateway reaches outside only as far as its own pods are published: an internal one not at all...
    const internal = await postureOf(gateway + gatewayPods.replace("  type: LoadBalancer\n", "") + admitting("infra") + clusterIp + deployment("web", "shop"));
    expect(ruleIds(workload(internal, "web"))).not.toContain("posture/published-to-every-address");
    expect(workload(internal, "web").facts).toContain(
      "routed through HTTPRoute shop (Gateway infra/public) to Service web, but nothing publishes the pods of Gateway infra/public outside the cluster: the route carries traffic from inside only",
    );
    // ...and one behind a load balancer with source ranges (and no node ports, which they do not guard) to those ranges only.
    const ranged = gatewayPods.replace(gatewayService(), gatewayService("  loadBalancerSourceRanges: [192.0.2.0/24]\n  allocateLoadBalancerNodePorts: false\n"));
    const narrowed = await postureOf(gateway + ranged + admitting("infra") + clusterIp + deployment("web", "shop"));
    expect(ruleIds(workload(narrowed, "web"))).not.toContain("posture/published-to-every-address");
    expect(workload(narrowed, "web").facts).toContain("published outside the cluster through HTTPRoute shop (Gateway infra/public) to Service web, to 192.0.2.0/24 only");
    // With node ports too: the nodes' firewall, which cloud load balancers set up, keeps them to the ranges.
    const nodePorts = gatewayPods.replace(gatewayService(), gatewayService("  loadBalancerSourceRanges: [192.0.2.0/24]\n"));
    const throughNodePorts = await postureOf(gateway + nodePorts + admitting("infra") + clusterIp + deployment("web", "shop"));
    expect(ruleIds(workload(throughNodePorts, "web"))).not.toContain("posture/published-to-every-address");
  });

  it("a host port publishes the workload: the deduction points at it", async () => {
    const report = await postureOf(deployment("agent", "ops").replace("          resources:", "          ports: [{containerPort: 9100, hostPort: 9100}]\n          resources:"));
    const published = workload(report, "agent").pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address");
    expect(published?.reason).toContain("host port 9100/TCP");
    expect(published).toMatchObject({ fieldPath: "spec.template.spec.containers[0].ports[0].hostPort", position: { line: 13 } });
  });

  it("counts who may reach a workload, and from how many other namespaces", async () => {
    const report = await postureOf(deployment("a", "one") + deployment("b", "two") + deployment("c", "two") + deployment("d", "three"));
    expect(workload(report, "a").facts).toContain("reachable from 3 of the other 3 workloads, in 2 other namespaces too");
    expect(workload(report, "b").facts).toContain("reachable from 3 of the other 3 workloads, in 2 other namespaces too");
  });

  it("a policy that narrows who may connect, and one that isolates egress, lift those deductions", async () => {
    const policies = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-office, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 8080}]}]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}]}]
---
`;
    const report = await postureOf(policies + loadBalancer + deployment("web", "shop") + deployment("worker", "shop"));
    const web = workload(report, "web");
    expect(ruleIds(web)).not.toContain("posture/published-to-every-address");
    expect(ruleIds(web)).not.toContain("posture/egress-to-every-address");
    expect(web.facts).toContain("published outside the cluster through Service web (LoadBalancer) on port 80/TCP and an allocated node port, to some addresses only");
    expect(web.facts).toContain("reachable from 0 of the other 1 workloads");
    expect(report.graph.edges.filter((e) => e.target === "w0" || e.source === "w0").map((e) => e.source + ">" + e.target)).toEqual(["outside>w0"]);
  });
});

describe("posture: the report", () => {
  it("-n reports one namespace, judged with every other", async () => {
    const yaml = deployment("a", "one") + deployment("b", "two");
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-n-"));
    const all = await postureOf(yaml, {}, dir);
    const one = await postureOf(yaml, { namespace: "one" }, dir);
    expect(all.workloads.map((w) => w.ref.name)).toEqual(["a", "b"]);
    expect(one.workloads.map((w) => w.ref.name)).toEqual(["a"]);
    expect(one.summary.workloads).toBe(1);
    expect(one.workloads[0]).toEqual(all.workloads[0]);
  });

  it("past 200 workloads the graph stands namespaces for workloads, and says so", async () => {
    let yaml = "";
    for (let i = 0; i < 201; i++) yaml += deployment(`w${i}`, `ns${i % 3}`);
    const report = await postureOf(yaml);
    expect(report.graph.level).toBe("namespaces");
    expect(report.graph.nodes.map((n) => n.id)).toEqual(["ns:ns0", "ns:ns1", "ns:ns2"]);
    // Nothing is isolated: every workload reaches the 67 of each other namespace.
    expect(report.graph.edges).toHaveLength(6);
    expect(report.graph.edges[0]?.label).toBe(`${67 * 67} pairs`);
    expect(report.graph.note).toContain("201 workloads");
    expect(report.summary.workloads).toBe(201);
    // Written in pieces, a batch of workloads at a time: exactly what JSON.stringify prints, and in the page the same report.
    expect([...postureJsonPieces(report)].join("")).toBe(JSON.stringify(report, null, 2) + "\n");
    const html = renderPostureHtml(report);
    const embedded = html.slice(html.indexOf('<script type="application/json" id="posture-data">') + 50, html.indexOf("</script>"));
    expect(JSON.parse(embedded)).toEqual(report);
  });
});

describe("posture: identity, a RoleBinding's grant on its own Namespace object", () => {
  // The apiserver reads PATCH /api/v1/namespaces/shop as a request in namespace shop, so RBAC
  // applies shop's RoleBindings to it: rbac/namespace-labels says so of the Role's rule too.
  const relabel = (kind: "Role" | "ClusterRole", resourceNames = "") => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ns-labeler${kind === "Role" ? ", namespace: shop" : ""}}
rules:
  - apiGroups: [""]
    resources: [namespaces]
    verbs: [patch]${resourceNames}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-labels-shop, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${kind}, name: ns-labeler}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
---
`;
  const labels = (report: Awaited<ReturnType<typeof postureOf>>) => workload(report, "api").pillars.identity.deductions.find((d) => d.ruleId === "posture/token-namespace-labels");

  it("counts patch on the namespace itself, granted by a RoleBinding there, as rbac/namespace-labels counts the rule", async () => {
    for (const kind of ["Role", "ClusterRole"] as const) {
      const report = await postureOf(relabel(kind) + deployment("api", "shop", "      serviceAccountName: api"));
      expect(labels(report)?.reason, kind).toContain("may patch namespaces (namespace shop itself)");
    }
    const named = await postureOf(relabel("Role", "\n    resourceNames: [shop]") + deployment("api", "shop", "      serviceAccountName: api"));
    expect(labels(named)?.reason).toContain("may patch namespaces (namespace shop itself)");
  });

  it("counts nothing when the rule names another namespace", async () => {
    const other = await postureOf(relabel("Role", "\n    resourceNames: [payments]") + deployment("api", "shop", "      serviceAccountName: api"));
    expect(labels(other)).toBeUndefined();
  });
});
