/**
 * `palisade serve --config FILE`: the admission, authentication and authorization webhooks
 * over HTTPS. Reads the configuration (src/admission/config.ts), the cluster-state and RBAC
 * manifests, the token file; builds the engine; runs one process or one worker per core.
 */
import cluster from "node:cluster";
import { isIP } from "node:net";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { tokenFileAuthenticator } from "../access/authn/tokenfile.js";
import { RbacAuthorizer } from "../access/rbac/authorizer.js";
import { buildPolicy } from "../access/rbac/policy.js";
import { rbacAccessAuthorizer } from "../admission/access/rbac-adapter.js";
import { withPodSecurityPolicyUse } from "../admission/policies/psp-use.js";
import { ClusterState } from "../admission/cluster-state.js";
import { exceptionStatus } from "../admission/exceptions.js";
import { createCertificateAuthority, issueCertificate } from "../adapters/webhook/certificates.js";
import { accessEndpoints, createEngine } from "../adapters/webhook/engine.js";
import { warnOpenAccessEndpoints } from "../adapters/webhook/open-access.js";
import { untilSynced } from "../adapters/webhook/until-synced.js";
import { inClusterConnection, kubeconfigConnection } from "../adapters/kube/connection.js";
import { syncClusterState } from "../adapters/kube/cluster-sync.js";
import { createLogger } from "../adapters/webhook/logger.js";
import { runWebhook } from "../adapters/webhook/run.js";
import type { TlsFiles, TlsMaterial } from "../adapters/webhook/server.js";
import { UserError } from "../errors.js";
import { loadSnapshot } from "../k8s/load.js";
import { withoutStillScannedNote } from "../k8s/load-problems.js";
import { loadWebhookConfig, readRelative } from "./admission-config.js";
import { writeStdout } from "./common.js";
import { checkHostName, checkServerNames, checkServingFiles, decimalFlag, listenFailure, warnServingCertificate } from "./serve-startup.js";

interface ServeFlags {
  config: string;
  selfSigned?: string;
  port?: string;
  workers?: string;
  serverName: string[];
}

async function loadObjects(paths: readonly string[], relativeTo: string) {
  if (paths.length === 0) return [];
  const snapshot = await loadSnapshot({ paths: paths.map((p) => resolve(dirname(relativeTo), p)) });
  // The command stops here: the note that the other documents were still scanned would be untrue.
  const problem = snapshot.problems[0] && withoutStillScannedNote(snapshot.problems[0]);
  if (problem) throw new UserError(problem.message, { position: problem.position, ...(problem.hint ? { hint: problem.hint } : {}) });
  return snapshot.objects;
}

/** `--self-signed NAME`: a CA and a serving certificate for NAME (and its short Service forms); an IP address goes in the IP SANs. */
async function selfSigned(name: string): Promise<{ tls: TlsMaterial; caBundle: string }> {
  const ca = await createCertificateAuthority(`palisade-webhook-ca (${name})`);
  const ip = isIP(name) !== 0;
  const parts = name.split(".");
  const serviceForms = !ip && parts.length >= 3 && parts[2] === "svc" ? [parts[0]!, `${parts[0]}.${parts[1]}`, `${parts[0]}.${parts[1]}.svc`, `${parts[0]}.${parts[1]}.svc.cluster.local`] : [];
  const dnsNames = [...new Set([...(ip ? [] : [name]), ...serviceForms, "localhost"])];
  const ipAddresses = [...new Set([...(ip ? [name] : []), "127.0.0.1"])];
  const server = await issueCertificate(ca, { commonName: name, dnsNames, ipAddresses, usage: "server" });
  return { tls: { certPem: server.certPem, keyPem: server.keyPem }, caBundle: Buffer.from(ca.certPem).toString("base64") };
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the admission (/validate, /mutate), token authentication (/authenticate) and authorization (/authorize) webhooks over HTTPS")
    .requiredOption("--config <file>", "webhook server configuration (see examples/admission-config.yaml)")
    .option("--self-signed <name>", "generate a CA and a serving certificate for this DNS name (e.g. palisade-webhook.palisade-system.svc) and print the caBundle")
    .option("--port <port>", "override server.port")
    .option("--workers <n>", "override server.workers (HTTP worker processes)")
    .option("--server-name <host>", "a host name kube-apiserver dials to reach this server (NAME.NAMESPACE.svc for a webhook's clientConfig.service); the serving certificate is checked to cover it at start and on reload (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .action(async (flags: ServeFlags) => {
      const config = loadWebhookConfig(flags.config);
      const port = flags.port === undefined ? config.server.port : decimalFlag("--port", flags.port, 0, 65535);
      const workers = flags.workers === undefined ? config.server.workers : decimalFlag("--workers", flags.workers, 1, 64);
      const serverNames = checkServerNames(flags.serverName);
      // Checked as --server-name is: "" is not "no name", and "bad name!" must not end up in a SAN.
      const selfSignedName = flags.selfSigned === undefined ? undefined : checkHostName(flags.selfSigned, "--self-signed");
      let tls: TlsFiles | TlsMaterial;
      let caBundle: string | undefined;
      let servingCertPem: string | undefined;
      if (config.server.certFile && config.server.keyFile) {
        if (selfSignedName !== undefined) throw new UserError("--self-signed and server.certFile/keyFile both set", { hint: "use one: files for production, --self-signed for trying it out" });
        tls = { certFile: resolve(dirname(config.file), config.server.certFile), keyFile: resolve(dirname(config.file), config.server.keyFile) };
        if (config.server.clientCAFile) tls.clientCAFile = resolve(dirname(config.file), config.server.clientCAFile);
        servingCertPem = checkServingFiles(tls, config.file).certPem;
      } else if (selfSignedName !== undefined) {
        // Printed once the server listens: a caBundle of a server that failed to start would mislead.
        if (cluster.isPrimary) {
          const generated = await selfSigned(selfSignedName);
          tls = generated.tls;
          servingCertPem = generated.tls.certPem;
          if (config.server.clientCAFile) tls.clientCaPem = readRelative(config.server.clientCAFile, config.file).text;
          caBundle = generated.caBundle;
        } else tls = { certPem: "", keyPem: "" }; // workers receive the primary's material over IPC
      } else {
        throw new UserError(`${config.file}: no serving certificate`, { hint: "set server.certFile and server.keyFile, or pass --self-signed NAME" });
      }
      const logger = createLogger(config.server.logLevel);
      if (cluster.isPrimary) {
        // Before anything else: a certificate kube-apiserver refuses fails every call it makes.
        if (servingCertPem !== undefined) warnServingCertificate(logger, servingCertPem, serverNames);
        // Expired exceptions no longer apply; say so once, loudly, so they get renewed or removed.
        for (const e of exceptionStatus(config.exceptions, new Set(), new Date()).expired) {
          logger.warn({ exception: e.id, owner: e.owner, expired: e.expires.toISOString() }, "policy exception has expired and no longer applies");
        }
      }
      const seed = await loadObjects(config.server.clusterState, config.file);
      const rbacObjects = await loadObjects(config.access.rbacFiles, config.file);
      const authenticator = config.access.tokenFile ? (() => {
        const { file, text } = readRelative(config.access.tokenFile, config.file);
        return tokenFileAuthenticator(text, file);
      })() : undefined;
      const rbac = rbacObjects.length > 0 ? new RbacAuthorizer(buildPolicy(rbacObjects.map((o) => ({ object: o.object, source: o.source })))) : undefined;
      const authorizer = rbac ? rbacAccessAuthorizer(rbac) : undefined;
      // With RBAC data, PodSecurityPolicy chooses only among the policies the requester or
      // the pod's service account may `use`, as the PSP admission plugin did.
      if (rbac) config.policies = withPodSecurityPolicyUse(config.policies, rbac);
      // Once per server, from the primary: workers would each say it again.
      if (cluster.isPrimary) warnOpenAccessEndpoints(logger, { clientCAFile: config.server.clientCAFile, endpoints: accessEndpoints({ config, ...(authenticator ? { authenticator } : {}), ...(authorizer ? { authorizer } : {}) }) });
      // Namespaces (and Nodes for tenancy) from the API server, so that every replica judges
      // with the persisted labels: server.kubeconfig outside a cluster, the service account in one.
      const api = config.server.kubeconfig ? kubeconfigConnection(resolve(dirname(config.file), config.server.kubeconfig)) : inClusterConnection();
      await runWebhook({
        workers,
        address: config.server.address,
        port,
        maxBodyBytes: config.server.maxBodyBytes,
        requestTimeoutSeconds: config.server.requestTimeoutSeconds,
        logger,
        tls,
        serverNames,
        async buildEngine(hooks) {
          const state = new ClusterState();
          state.seed(seed.map((o) => o.object));
          const sync = api ? syncClusterState(state, api, { nodes: config.tenancy !== undefined, logger }) : undefined;
          const engine = createEngine({
            config,
            cluster: state,
            ...hooks,
            // A pod in a namespace the watch has not delivered yet is judged after a live read of it.
            ...(sync ? { lookupNamespace: sync.lookupNamespace } : {}),
            ...(authenticator ? { authenticator } : {}),
            ...(authorizer ? { authorizer } : {}),
          });
          return sync ? untilSynced(engine, sync.ready) : engine;
        },
      }).catch((err: unknown) => {
        throw listenFailure(err, { configFile: config.file, ...(flags.port === undefined ? {} : { flag: flags.port }) });
      });
      if (caBundle !== undefined) await writeStdout(`caBundle: ${caBundle}\n`);
      // The server keeps the process alive; SIGTERM ends it.
    });
}
