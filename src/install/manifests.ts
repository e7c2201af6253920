/**
 * The manifests that run Palisade's webhook in a cluster, as plain objects (the CLI renders
 * them). Hardened the way Palisade asks of everyone: restricted Pod Security, read-only root
 * filesystem, two replicas spread across nodes with a disruption budget, ingress only from
 * the API server's addresses. The webhook reads Namespaces (and Nodes, for tenancy) from the
 * API server so that every replica judges with the persisted labels: its ServiceAccount may
 * only get/list/watch those, its token is a short-lived projected one (nothing is
 * automounted), and its egress is DNS and the API server only. With --client-ca the webhook
 * answers kube-apiserver's client certificate only, from a CA cert-manager creates (client-ca.ts).
 */
import type { K8sObject } from "../k8s/types.js";
import { admissionConfigWithoutClientCertificates, type ExistingAdmissionConfiguration } from "./admission-merge.js";
import { APISERVER_FILES, AUTHORIZATION_MODE, apiserverWebhookFiles, type AccessWebhooks } from "./apiserver.js";
import { checkSupportedKubeVersion, formatKubeVersion, type KubeVersion } from "./kube-version.js";
import { containerResources, CRITICAL_PRIORITY_CLASS, MAX_SURGE, namespaceLimits } from "./namespace-limits.js";
import { hasPreStopSleep, IMAGE_NODE, webhookTermination } from "./termination.js";
import { APPLY_FIRST_LABEL, CLIENT_CA, clientCaNotes, clientCaObjects, clientCaVolume, type ClientCaSource } from "./client-ca.js";
import { checkInstallNamespace } from "./install-namespace.js";
import { nodeWebhook } from "./node-webhook.js";
import { defaultWebhookUrl, defaultWebhookUrlUsage, defaultWebhookUrlWarning, servingCertificateNames } from "./webhook-reachability.js";

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
  /** The ConfigMap: config.yaml and the files it names, by key (src/install/server-config.ts). */
  configFiles: Record<string, string>;
  /** server.port of the shipped configuration (default 8443). */
  port?: number;
  /** server.requestTimeoutSeconds of the shipped configuration: part of the pod's grace period (termination.ts). */
  requestTimeoutSeconds?: number;
  /** --kube-version: the target cluster's version; without it, a supported one (1.30 or later). */
  kubeVersion?: KubeVersion;
  /** The configuration judges ConfigMaps (its secrets policy): the validating webhook then receives them too. */
  judgesConfigMaps?: boolean;
  /** The server watches Nodes too (tenancy reads their labels): the role grants them. */
  watchesNodes?: boolean;
  /** The configuration has the certificateSubjectRestriction policy: kube-apiserver-client CSRs are sent to the webhook. */
  judgesCertificateRequests?: boolean;
  /**
   * server.clientCAFile is set: kube-apiserver must present its client certificate, so its
   * webhook kubeconfigs name one. The probes are unchanged: /healthz and /readyz answer
   * without a certificate (src/adapters/webhook/client-certificate.ts).
   */
  requiresClientCertificates?: boolean;
  /**
   * --client-ca: who creates the CA of kube-apiserver's client certificate (src/install/client-ca.ts).
   * The shipped configuration's server.clientCAFile then names the mounted ca.crt.
   */
  clientCa?: ClientCaSource;
  /** access.tokenFile is set: mount the operator-made Secret palisade-webhook-tokens, and wire kube-apiserver to /authenticate. */
  usesTokenFile?: boolean;
  /**
   * The next three say what the shipped configuration needs (server-config.ts ShippedConfig);
   * left out, the object is written, as install did before it read them from the configuration.
   */
  /** Guardrails or rbacFiles are configured: wire kube-apiserver to /authorize. */
  answersAccessReviews?: boolean;
  /** The nodeRestriction policy is configured: register the node webhook (node-webhook.ts). */
  judgesNodes?: boolean;
  /** A configured policy mutates: register the mutating webhook. */
  mutates?: boolean;
  /** --admission-config: kube-apiserver's AdmissionConfiguration, merged with Palisade's webhook plugins (admission-merge.ts). */
  existingAdmissionConfiguration?: ExistingAdmissionConfiguration;
}

export const NAME = "palisade-webhook";
/** The ConfigMap of files and flags for the control-plane hosts. */
const APISERVER_FILES_CONFIGMAP = "palisade-apiserver-webhooks";
/** Where those files go on the control-plane hosts. */
const APISERVER_CERT_DIR = "/etc/kubernetes/palisade";
const DEFAULT_PORT = 8443;
/** server.requestTimeoutSeconds of the default configuration. */
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
/** Where client-go (and src/adapters/kube/connection.ts) look for the pod's API credentials. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** API server ports: the kubernetes Service's (443) and the usual endpoint port behind it (6443), as NetworkPolicy sees either after DNAT. */
const APISERVER_PORTS = [443, 6443];
const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "palisade" };

/** The server configuration the Deployment runs with (paths are the mounted ones). */
export function defaultServerConfig(): string {
  return `apiVersion: palisade.dev/v1alpha1
kind: WebhookServerConfiguration
server:
  port: ${DEFAULT_PORT}
  certFile: ../tls/tls.crt
  keyFile: ../tls/tls.key
  workers: 2
  requestTimeoutSeconds: ${DEFAULT_REQUEST_TIMEOUT_SECONDS}
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

/**
 * With the certificateSubjectRestriction policy: new CSRs for kubernetes.io/kube-apiserver-client
 * only (a matchCondition), the one signer the policy judges. Kubelet bootstrap and rotation
 * requests (other signers) never wait on the webhook, so a webhook outage cannot stop nodes joining.
 */
function certificateRequestWebhook(options: InstallOptions): Record<string, unknown> {
  return {
    ...webhook("validate", options),
    name: "certificatesigningrequests.validate.palisade.dev",
    rules: [{ operations: ["CREATE"], apiGroups: ["certificates.k8s.io"], apiVersions: ["v1"], resources: ["certificatesigningrequests"], scope: "Cluster" }],
    namespaceSelector: {},
    matchConditions: [{ name: "kube-apiserver-client-signer-only", expression: "object.spec.signerName == 'kubernetes.io/kube-apiserver-client'" }],
  };
}

/** What kube-apiserver's client certificate must be, as the ConfigMap of its files says it. */
function callerAuthentication(options: InstallOptions): string {
  if (options.clientCa === "cert-manager") return `server.clientCAFile is the ca.crt of cert-manager's CA (Secret ${CLIENT_CA.ca}): kube-apiserver must present apiserver-client.crt/.key, from the Secret ${CLIENT_CA.client}`;
  if (options.requiresClientCertificates) return "server.clientCAFile is set: kube-apiserver must present apiserver-client.crt/.key, signed by that CA";
  return "none: the webhook does not check who calls /authenticate and /authorize; only the NetworkPolicy (ingress from --apiserver-cidr) keeps other callers out. Set server.clientCAFile in the --config, or pass --client-ca cert-manager, to require client certificates";
}

/** The access webhooks kube-apiserver is wired to, from what the shipped configuration answers. */
function accessWebhooks(options: InstallOptions): AccessWebhooks {
  return { tokenAuthentication: options.usesTokenFile === true, authorization: options.answersAccessReviews !== false };
}

/** How kube-apiserver reaches /authenticate and /authorize: --webhook-url, else the Service's name (webhook-reachability.ts). */
function accessBaseUrl(options: InstallOptions): string {
  return options.webhookUrl ?? defaultWebhookUrl(NAME, options.namespace);
}

/** What the ConfigMap of kube-apiserver's files says to do with them. */
function apiserverFilesUsage(options: InstallOptions): string {
  const access = accessWebhooks(options);
  const parts = [`copy these files to the control-plane hosts' ${APISERVER_CERT_DIR} (ca.crt there: the CA of the webhook's serving certificate) and add the flags to kube-apiserver`];
  if (access.authorization) {
    parts.push(
      `--authorization-mode=${AUTHORIZATION_MODE} puts the webhook before RBAC: kube-apiserver stops at the first authorizer that allows, so a webhook after RBAC could never veto what RBAC allows; ` +
        "a failed webhook call is no opinion, so RBAC still decides while Palisade is down, and every request RBAC answers now asks Palisade first (answers are cached)",
    );
  }
  if ((access.authorization || access.tokenAuthentication) && !options.webhookUrl) parts.push(defaultWebhookUrlUsage(accessBaseUrl(options)));
  return parts.join("; ");
}

/** What the operator must fix before the installation works as configured (stderr, never the manifest stream). */
export function installWarnings(options: InstallOptions): string[] {
  if (options.webhookUrl) return [];
  const warning = defaultWebhookUrlWarning(accessBaseUrl(options), accessWebhooks(options), APISERVER_FILES_CONFIGMAP);
  return warning ? [warning] : [];
}

/** What the operator must know or do (stderr, never the manifest stream): the --client-ca steps, and what depends on the image. */
export function installNotes(options: InstallOptions): string[] {
  const notes: string[] = [];
  if (options.kubeVersion && !hasPreStopSleep(options.kubeVersion)) {
    notes.push(`Kubernetes ${formatKubeVersion(options.kubeVersion)} has no lifecycle.preStop.sleep on by default: the webhook's preStop hook runs ${IMAGE_NODE}, where Palisade's image has node; an --image built otherwise must have it there too, or its pods stop without waiting to leave the Service's endpoints`);
  }
  if (options.existingAdmissionConfiguration && options.clientCa !== "cert-manager") {
    notes.push(`${APISERVER_FILES.admissionConfiguration} in ConfigMap ${APISERVER_FILES_CONFIGMAP} is ${options.existingAdmissionConfiguration.file} with Palisade's webhook plugins added: its --admission-control-config-file flag replaces kube-apiserver's current one`);
  }
  if (options.clientCa !== "cert-manager") return notes;
  return [
    ...notes,
    ...clientCaNotes({
      namespace: options.namespace,
      filesConfigMap: APISERVER_FILES_CONFIGMAP,
      certDir: APISERVER_CERT_DIR,
      ...(options.caBundlePem ? {} : { serving: { certificate: NAME, secret: `${NAME}-tls` } }),
      ...(options.existingAdmissionConfiguration ? { mergedAdmissionConfiguration: options.existingAdmissionConfiguration.file } : {}),
      access: accessWebhooks(options),
    }),
  ];
}

export function installManifests(options: InstallOptions): K8sObject[] {
  if (options.kubeVersion) checkSupportedKubeVersion(options.kubeVersion);
  checkInstallNamespace(options.namespace);
  const clientCertificates = options.requiresClientCertificates === true || options.clientCa !== undefined;
  if (options.existingAdmissionConfiguration && !clientCertificates) throw admissionConfigWithoutClientCertificates();
  const ns = options.namespace;
  const clientCa = options.clientCa === "cert-manager" ? clientCaVolume() : undefined;
  // With --client-ca, what kube-apiserver needs before the webhook may require its certificate is applied first (client-ca.ts).
  const applyFirst: Record<string, string> = clientCa ? { [APPLY_FIRST_LABEL]: "true" } : {};
  const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: ns, labels, ...extra });
  const metaApplyFirst = (name: string) => ({ name, namespace: ns, labels: { ...labels, ...applyFirst } });
  const injectCa = options.caBundlePem ? {} : { annotations: { "cert-manager.io/inject-ca-from": `${ns}/${NAME}` } };
  const securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
  const port = options.port ?? DEFAULT_PORT;
  const termination = webhookTermination({ requestTimeoutSeconds: options.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS, ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}) });
  // /readyz fails until the namespaces are listed (src/adapters/webhook/until-synced.ts), so a
  // replica gets no traffic before it can judge. HTTPS probes work with server.clientCAFile
  // too: the probe paths are the ones served without a client certificate.
  const probe = (path: string) => ({ httpGet: { path, port, scheme: "HTTPS" }, periodSeconds: 10, timeoutSeconds: 2 });
  const readerRules = [{ apiGroups: [""], resources: options.watchesNodes ? ["namespaces", "nodes"] : ["namespaces"], verbs: ["get", "list", "watch"] }];
  const objects: K8sObject[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns, labels: { ...labels, ...applyFirst, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" } },
    },
    ...namespaceLimits(options.replicas, meta),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(NAME), automountServiceAccountToken: false },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(`${NAME}-config`), data: options.configFiles },
    // Read-only, cluster-wide, and only what the cluster state needs.
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: NAME, labels }, rules: readerRules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: NAME },
      subjects: [{ kind: "ServiceAccount", name: NAME, namespace: ns }],
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { ...metaApplyFirst(APISERVER_FILES_CONFIGMAP), annotations: {
        "palisade.dev/usage": apiserverFilesUsage(options),
        "palisade.dev/caller-authentication": callerAuthentication(options),
      } },
      data: apiserverWebhookFiles({
        baseUrl: accessBaseUrl(options),
        // As the admission webhooks' clientConfig.service names it (webhook() below).
        admissionHost: `${NAME}.${ns}.svc:443`,
        certDir: APISERVER_CERT_DIR,
        clientCertificates,
        access: accessWebhooks(options),
        ...(options.existingAdmissionConfiguration ? { existingAdmissionConfiguration: options.existingAdmissionConfiguration } : {}),
      }),
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(NAME),
      spec: {
        replicas: options.replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: labels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: MAX_SURGE } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // Admitted where critical priority is limited thanks to the namespace's scoped quota (namespace-limits.ts).
            priorityClassName: CRITICAL_PRIORITY_CLASS,
            terminationGracePeriodSeconds: termination.terminationGracePeriodSeconds,
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
                // The names kube-apiserver dials (admission: the Service's; authn/authz: --webhook-url's host), which serve checks its certificate covers.
                args: ["serve", "--config", "/etc/palisade/config/config.yaml", ...[...new Set([`${NAME}.${ns}.svc`, ...(options.webhookUrl ? [new URL(options.webhookUrl).hostname] : [])])].flatMap((host) => ["--server-name", host])],
                ports: [{ name: "https", containerPort: port, protocol: "TCP" }],
                resources: containerResources(),
                lifecycle: termination.lifecycle,
                readinessProbe: probe("/readyz"),
                livenessProbe: probe("/healthz"),
                securityContext,
                volumeMounts: [
                  { name: "config", mountPath: "/etc/palisade/config", readOnly: true },
                  { name: "tls", mountPath: "/etc/palisade/tls", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "kube-api-access", mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
                  ...(options.usesTokenFile ? [{ name: "tokens", mountPath: "/etc/palisade/tokens", readOnly: true }] : []),
                  ...(clientCa ? [clientCa.mount] : []),
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: `${NAME}-config` } },
              { name: "tls", secret: { secretName: `${NAME}-tls` } },
              { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
              // What automounting would give, but a token for the API server's audience only, valid an hour, rotated by the kubelet.
              {
                name: "kube-api-access",
                projected: {
                  defaultMode: 0o444,
                  sources: [
                    { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
                  ],
                },
              },
              ...(options.usesTokenFile ? [{ name: "tokens", secret: { secretName: `${NAME}-tokens`, defaultMode: 0o440 } }] : []),
              ...(clientCa ? [clientCa.volume] : []),
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
        // Ingress only from the API server, on the webhook port. Egress: the API server (the
        // namespace watch) and cluster DNS, so that name lookups by the runtime fail fast instead of hanging.
        ingress: [{ from: options.apiserverCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port }] }],
        egress: [
          { to: options.apiserverCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: APISERVER_PORTS.map((p) => ({ protocol: "TCP", port: p })) },
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
      { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: metaApplyFirst(`${NAME}-selfsigned`), spec: { selfSigned: {} } },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        // With --client-ca it is applied first: kube-apiserver's kubeconfigs name its ca.crt.
        metadata: metaApplyFirst(NAME),
        spec: { secretName: `${NAME}-tls`, ...servingCertificateNames(NAME, ns, options.webhookUrl), issuerRef: { name: `${NAME}-selfsigned`, kind: "Issuer" }, privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } },
      },
    );
  }
  if (clientCa) objects.push(...clientCaObjects(metaApplyFirst));
  // No policy that mutates: no mutating webhook, so that pod and workload creation does not wait on a call that never patches.
  if (options.mutates !== false) {
    objects.push({ apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "palisade", labels, ...injectCa }, webhooks: [webhook("mutate", options)] });
  }
  const validating = [webhook("validate", options), ...(options.judgesNodes !== false ? [nodeWebhook(webhook("validate", options))] : []), ...(options.judgesCertificateRequests ? [certificateRequestWebhook(options)] : [])];
  objects.push({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: { name: "palisade", labels, ...injectCa }, webhooks: validating });
  return objects;
}
