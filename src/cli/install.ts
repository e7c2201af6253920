/**
 * `palisade install`: print the manifests that run Palisade's webhooks in a cluster
 * (src/install/manifests.ts), as a YAML stream for `kubectl apply -f -` or as a JSON List.
 * Notes about what the operator must still do, and warnings about what will not work as
 * configured until they act, go to stderr, never into the stream.
 */
import { readFileSync, statSync } from "node:fs";
import { Option, type Command } from "commander";
import { ipaddr } from "../network/ipaddr.js";
import { kubernetesYaml } from "../k8s/yaml-out.js";
import { loadSnapshot } from "../k8s/load.js";
import { withoutStillScannedNote } from "../k8s/load-problems.js";
import { UserError } from "../errors.js";
import { checkCaBundle } from "../install/ca-bundle.js";
import { CLIENT_CA_SOURCES, type ClientCaSource } from "../install/client-ca.js";
import { checkSupportedKubeVersion, formatKubeVersion, kubeVersionFlag, MATCH_CONDITIONS_SINCE, PRESTOP_SLEEP_SINCE } from "../install/kube-version.js";
import { installManifests, installNotes, installWarnings, type InstallOptions } from "../install/manifests.js";
import { checkInstallNamespace } from "../install/install-namespace.js";
import { shipServerConfig } from "../install/server-config.js";
import { checkWebhookUrl } from "../install/webhook-url.js";
import { checkImageFlag } from "../install/image-flag.js";
import { packageVersion } from "../version.js";
import { readRelative } from "./admission-config.js";
import { writeStdout, repeatable } from "./common.js";
import { resolve } from "node:path";

interface InstallFlags {
  namespace: string;
  image?: string;
  replicas: string;
  apiserverCidr: string[];
  caBundle?: string;
  webhookUrl?: string;
  config?: string;
  clientCa?: ClientCaSource;
  kubeVersion?: string;
  admissionConfig?: string;
  output: "yaml" | "json";
}

const CIDR_HINT =
  "give the addresses kube-apiserver connects from and listens on, e.g. --apiserver-cidr 10.0.0.10/32 per control-plane node, or the control-plane nodes' CIDR " +
  "(kubectl get endpoints kubernetes -n default shows the API server's addresses; kubectl get nodes -l node-role.kubernetes.io/control-plane -o wide the nodes')";

/** A file named by a flag: the error names the flag and the file, never the content. */
function readFlagFile(flag: string, path: string): { file: string; text: string } {
  const file = resolve(path);
  try {
    return { file, text: readFileSync(file, "utf8") };
  } catch (err) {
    throw new UserError(`${flag} ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function checkManifests(file: string): Promise<void> {
  const snapshot = await loadSnapshot({ paths: [file] });
  // The command stops here: the note that the other documents were still scanned would be untrue.
  const problem = snapshot.problems[0] && withoutStillScannedNote(snapshot.problems[0]);
  if (problem) throw new UserError(problem.message, { position: problem.position, ...(problem.hint ? { hint: problem.hint } : {}) });
}

/**
 * `10.0.0.1/8` is valid, and a NetworkPolicy reads it as all of 10.0.0.0/8: most likely one
 * address was meant, and the webhook's only ingress would open to sixteen million. Refused,
 * naming both readings.
 */
function checkNoHostBits(cidr: string): void {
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  const network = address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  if (network.toString() === address.toString()) return;
  const single = address.kind() === "ipv4" ? 32 : 128;
  throw new UserError(`--apiserver-cidr ${cidr}: ${address.toString()} is not the first address of its /${prefix}, so the NetworkPolicy would admit all of ${network.toString()}/${prefix}`, {
    hint: `give ${address.toString()}/${single} for the one address, or ${network.toString()}/${prefix} for the whole range`,
  });
}

export function registerInstallCommand(program: Command): void {
  program
    .command("install")
    .description("print the manifests that run Palisade's webhooks in a cluster (kubectl apply -f -)")
    // Not requiredOption: commander counts the default [] as given. Checked below.
    .option("--apiserver-cidr <cidr>", "address range of the API server (required, repeatable): the only ingress the NetworkPolicy admits, and the webhook's egress for its namespace watch", repeatable, [])
    .option("-n, --namespace <namespace>", "namespace to install into", "palisade-system")
    .option("--image <image>", "Palisade image, ideally pinned by digest (default: ghcr.io/palisade-dev/palisade:<version>)")
    .option("--replicas <n>", "webhook replicas (at least 2)", "2")
    .option("--ca-bundle <file>", "PEM CA certificate(s) of the serving certificate for caBundle (default: cert-manager issues and injects it)")
    .option(
      "--webhook-url <url>",
      "https base URL kube-apiserver uses for /authenticate and /authorize, resolved by the control-plane hosts' DNS: a name or address they reach, added to the serving certificate " +
        "(default: the Service's name, https://palisade-webhook.<namespace>.svc:443, which only resolves where those hosts use cluster DNS; install warns)",
    )
    .option("--config <file>", "webhook server configuration to ship, with every file it references (default: Pod Security, NodeRestriction, images in warn mode)")
    .addOption(
      new Option(
        "--client-ca <source>",
        "require kube-apiserver's client certificate on /validate, /mutate, /authenticate and /authorize, from a CA and certificate cert-manager creates; " +
          "the control-plane steps are printed on stderr (conflicts with server.clientCAFile in --config)",
      ).choices([...CLIENT_CA_SOURCES]),
    )
    .option(
      "--kube-version <version>",
      `Kubernetes version of the cluster, e.g. v1.30 (kubectl version's Server Version): below ${formatKubeVersion(MATCH_CONDITIONS_SINCE)} install refuses (the node webhook needs matchConditions); ` +
        `below ${formatKubeVersion(PRESTOP_SLEEP_SINCE)} the preStop delay runs the image's node instead of lifecycle.preStop.sleep (default: a supported version, ${formatKubeVersion(PRESTOP_SLEEP_SINCE)} or later)`,
    )
    .option(
      "--admission-config <file>",
      "kube-apiserver's current --admission-control-config-file (YAML or JSON), with --client-ca or server.clientCAFile: its plugins are kept and Palisade's webhook plugins added, conflicts are refused",
    )
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .action(async (flags: InstallFlags) => {
      if (flags.apiserverCidr.length === 0) throw new UserError("--apiserver-cidr is required: the API server's address range, the only source the webhook's NetworkPolicy admits and the only destination of its namespace watch", { hint: CIDR_HINT });
      const kubeVersion = flags.kubeVersion === undefined ? undefined : kubeVersionFlag(flags.kubeVersion);
      if (kubeVersion) checkSupportedKubeVersion(kubeVersion);
      const replicas = Number(flags.replicas);
      if (!Number.isInteger(replicas) || replicas < 2) throw new UserError(`--replicas ${flags.replicas}: expected an integer of at least 2`, { hint: "one replica makes every rollout an admission outage" });
      for (const cidr of flags.apiserverCidr) {
        if (!ipaddr.isValidCIDR(cidr)) throw new UserError(`--apiserver-cidr ${cidr}: expected a CIDR such as 10.0.0.10/32`, { hint: CIDR_HINT });
        checkNoHostBits(cidr);
      }
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.namespace) || flags.namespace.length > 63) throw new UserError(`--namespace ${flags.namespace}: not a valid namespace name`);
      checkInstallNamespace(flags.namespace);
      const webhookUrl = flags.webhookUrl === undefined ? undefined : checkWebhookUrl(flags.webhookUrl);
      const image = flags.image === undefined ? undefined : checkImageFlag(flags.image);
      const caBundlePem = flags.caBundle === undefined ? undefined : (() => {
        const { file, text } = readFlagFile("--ca-bundle", flags.caBundle);
        return checkCaBundle(file, text);
      })();
      const shipped = await shipServerConfig({
        namespace: flags.namespace,
        ...(flags.config ? { config: readFlagFile("--config", flags.config) } : {}),
        read: readRelative,
        isFile: (file) => statSync(file).isFile(),
        checkManifests,
        ...(flags.clientCa ? { clientCa: flags.clientCa } : {}),
      });
      const options: InstallOptions = {
        namespace: flags.namespace,
        image: image ?? `ghcr.io/palisade-dev/palisade:${packageVersion()}`,
        replicas,
        apiserverCidrs: flags.apiserverCidr,
        configFiles: shipped.files,
        port: shipped.port,
        requestTimeoutSeconds: shipped.requestTimeoutSeconds,
        judgesConfigMaps: shipped.judgesConfigMaps,
        watchesNodes: shipped.watchesNodes,
        judgesCertificateRequests: shipped.judgesCertificateRequests,
        requiresClientCertificates: shipped.requiresClientCertificates,
        usesTokenFile: shipped.usesTokenFile,
        answersAccessReviews: shipped.answersAccessReviews,
        judgesNodes: shipped.judgesNodes,
        mutates: shipped.mutates,
      };
      if (caBundlePem) options.caBundlePem = caBundlePem;
      if (webhookUrl) options.webhookUrl = webhookUrl;
      if (flags.clientCa) options.clientCa = flags.clientCa;
      if (kubeVersion) options.kubeVersion = kubeVersion;
      if (flags.admissionConfig !== undefined) options.existingAdmissionConfiguration = readFlagFile("--admission-config", flags.admissionConfig);
      const objects = installManifests(options);
      for (const note of [...shipped.notes, ...installNotes(options)]) process.stderr.write(`palisade install: note: ${note}\n`);
      for (const warning of installWarnings(options)) process.stderr.write(`palisade install: warning: ${warning}\n`);
      if (flags.output === "json") await writeStdout(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2) + "\n");
      else await writeStdout(objects.map((o) => kubernetesYaml(o, { lineWidth: 0 })).join("---\n"));
    });
}
