/**
 * The manifests that run Palisade's webhook in a cluster, as plain objects (the CLI renders
 * them). Hardened the way Palisade asks of everyone: restricted Pod Security, read-only root
 * filesystem, no ServiceAccount token (the webhook learns the cluster from admission
 * requests and needs no API access, so it is bound to no role at all), two replicas spread
 * across nodes with a disruption budget, and ingress only from the API server's addresses.
 */
import type { K8sObject } from "../k8s/types.js";
import { apiserverWebhookFiles } from "./apiserver.js";

export interface InstallOptions {
  namespace: string;
  image: string;
  replicas: number;
  /** CIDRs the API server connects from; the only ingress the NetworkPolicy admits. */
  apiserverCidrs: string[];
  /** PEM CA bundle of the serving certificate; without it cert-manager injects it. */
  caBundlePem?: string;
  /** How the API server reaches the authn/authz webhooks (kubeconfig `server`). */
  webhookUrl?: string;
  /** Webhook server configuration (YAML) and PSA configuration (YAML) to ship in the ConfigMap. */
  configYaml: string;
  psaYaml: string;
  /** The configuration judges ConfigMaps (its secrets policy): the validating webhook then receives them too. */
  judgesConfigMaps?: boolean;
}

export const NAME = "palisade-webhook";
const PORT = 8443;
const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "palisade" };

/** The server configuration the Deployment runs with (paths are the mounted ones). */
export function defaultServerConfig(): string {
  return `apiVersion: palisade.dev/v1alpha1
kind: WebhookServerConfiguration
server:
  port: ${PORT}
  certFile: /etc/palisade/tls/tls.crt
  keyFile: /etc/palisade/tls/tls.key
  workers: 2
  requestTimeoutSeconds: 10
  logLevel: info
policies:
  podSecurity: { mode: enforce, configurationFile: psa.yaml }
  nodeRestriction: { mode: enforce }
  images: { mode: warn, forbidLatest: true }
access:
  guardrails:
    production: { key: palisade.dev/environment, value: production }
`;
}

export function defaultPsaConfig(namespace: string): string {
  return `apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults: { enforce: baseline, enforce-version: latest, audit: restricted, audit-version: latest, warn: restricted, warn-version: latest }
exemptions: { usernames: [], runtimeClasses: [], namespaces: [kube-system, ${namespace}] }
`;
}

function webhook(kind: "validate" | "mutate", options: InstallOptions): Record<string, unknown> {
  const clientConfig: Record<string, unknown> = { service: { namespace: options.namespace, name: NAME, path: `/${kind}`, port: 443 } };
  if (options.caBundlePem) clientConfig.caBundle = Buffer.from(options.caBundlePem).toString("base64");
  const workloads = { apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments", "replicasets", "statefulsets", "daemonsets"], scope: "Namespaced" };
  const batch = { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"], scope: "Namespaced" };
  const rules =
    kind === "validate"
      ? [
          { operations: ["CREATE", "UPDATE", "DELETE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods", "pods/ephemeralcontainers"], scope: "Namespaced" },
          { operations: ["CREATE", "UPDATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces", "podtemplates", "replicationcontrollers"], scope: "*" },
          { operations: ["CREATE", "UPDATE"], ...workloads },
          { operations: ["CREATE", "UPDATE"], ...batch },
          // Only when a policy judges them: every ConfigMap write otherwise waits on the webhook for nothing.
          ...(options.judgesConfigMaps ? [{ operations: ["CREATE", "UPDATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], scope: "Namespaced" }] : []),
        ]
      : [
          { operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods", "podtemplates", "replicationcontrollers"], scope: "Namespaced" },
          { operations: ["CREATE"], ...workloads },
          { operations: ["CREATE"], ...batch },
        ];
  return {
    name: `${kind}.palisade.dev`,
    clientConfig,
    rules,
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    sideEffects: "None",
    timeoutSeconds: 5,
    admissionReviewVersions: ["v1"],
    // Never judge the control plane or Palisade itself: a broken webhook must not lock itself out.
    namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", options.namespace] }] },
    ...(kind === "mutate" ? { reinvocationPolicy: "IfNeeded" } : {}),
  };
}

/** Node objects are cluster-scoped, so NodeRestriction gets its own webhook (no namespaceSelector applies). */
function nodeWebhook(options: InstallOptions): Record<string, unknown> {
  const base = webhook("validate", options);
  return {
    ...base,
    name: "nodes.validate.palisade.dev",
    rules: [{ operations: ["CREATE", "UPDATE", "DELETE"], apiGroups: [""], apiVersions: ["v1"], resources: ["nodes"], scope: "Cluster" }],
    namespaceSelector: {},
    // Only node identities are judged; everyone else is skipped before the call.
    matchConditions: [{ name: "node-identities-only", expression: "request.userInfo.username.startsWith('system:node:')" }],
  };
}

export function installManifests(options: InstallOptions): K8sObject[] {
  const ns = options.namespace;
  const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: ns, labels, ...extra });
  const injectCa = options.caBundlePem ? {} : { annotations: { "cert-manager.io/inject-ca-from": `${ns}/${NAME}` } };
  const securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
  const probe = (path: string) => ({ httpGet: { path, port: PORT, scheme: "HTTPS" }, periodSeconds: 10, timeoutSeconds: 2 });
  const objects: K8sObject[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns, labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" } },
    },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("palisade"),
      // Room for the replicas plus one surge pod during a rollout, nothing more.
      spec: { hard: { pods: String(options.replicas + 1), "requests.cpu": `${(options.replicas + 1) * 100}m`, "requests.memory": `${(options.replicas + 1) * 128}Mi`, "limits.cpu": String(options.replicas + 1), "limits.memory": `${(options.replicas + 1) * 256}Mi` } },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("palisade"),
      spec: { limits: [{ type: "Container", default: { cpu: "1", memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" }, max: { cpu: "1", memory: "256Mi" } }] },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(NAME), automountServiceAccountToken: false },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(`${NAME}-config`), data: { "config.yaml": options.configYaml, "psa.yaml": options.psaYaml } },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("palisade-apiserver-webhooks", { annotations: { "palisade.dev/usage": "copy these files to the control-plane hosts and add the flags to kube-apiserver" } }),
      data: apiserverWebhookFiles({ baseUrl: options.webhookUrl ?? `https://${NAME}.${ns}.svc:443`, certDir: "/etc/kubernetes/palisade" }),
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(NAME),
      spec: {
        replicas: options.replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: labels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            priorityClassName: "system-cluster-critical",
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: labels } },
              { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
            ],
            containers: [
              {
                name: "webhook",
                image: options.image,
                imagePullPolicy: "IfNotPresent",
                args: ["serve", "--config", "/etc/palisade/config/config.yaml"],
                ports: [{ name: "https", containerPort: PORT, protocol: "TCP" }],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } },
                readinessProbe: probe("/readyz"),
                livenessProbe: probe("/healthz"),
                securityContext,
                volumeMounts: [
                  { name: "config", mountPath: "/etc/palisade/config", readOnly: true },
                  { name: "tls", mountPath: "/etc/palisade/tls", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: `${NAME}-config` } },
              { name: "tls", secret: { secretName: `${NAME}-tls` } },
              { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
            ],
          },
        },
      },
    },
    { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta(NAME), spec: { minAvailable: 1, selector: { matchLabels: labels } } },
    { apiVersion: "v1", kind: "Service", metadata: meta(NAME), spec: { selector: labels, ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }] } },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta(NAME),
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ["Ingress", "Egress"],
        // Ingress only from the API server, on the webhook port. The webhook calls nothing; egress
        // is limited to cluster DNS so that name lookups by the runtime fail fast instead of hanging.
        ingress: [{ from: options.apiserverCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: PORT }] }],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
          },
        ],
      },
    },
  ];
  if (!options.caBundlePem) {
    objects.push(
      { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: meta(`${NAME}-selfsigned`), spec: { selfSigned: {} } },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: meta(NAME),
        spec: { secretName: `${NAME}-tls`, dnsNames: [`${NAME}.${ns}.svc`, `${NAME}.${ns}.svc.cluster.local`], issuerRef: { name: `${NAME}-selfsigned`, kind: "Issuer" }, privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } },
      },
    );
  }
  objects.push(
    { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "palisade", labels, ...injectCa }, webhooks: [webhook("mutate", options)] },
    { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: { name: "palisade", labels, ...injectCa }, webhooks: [webhook("validate", options), nodeWebhook(options)] },
  );
  return objects;
}
