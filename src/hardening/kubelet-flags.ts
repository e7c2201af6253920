/**
 * The kubelet's effective configuration when it runs as a container whose command line we
 * see (RKE1, Typhoon, kops-style static pods): the v1beta1 defaults, then the --config file,
 * then its flags, flags winning (cmd/kubelet/app/server.go kubeletConfigFlagPrecedence).
 * Without --config, the baseline is not v1beta1's but the flag defaults of old
 * (cmd/kubelet/app/options/options.go applyLegacyDefaults): anonymous requests served,
 * bearer tokens not checked, AlwaysAllow, and the read-only port 10255.
 */
import type { Finding } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, objectRef, type LoadedObject } from "../k8s/types.js";
import { flag } from "./flag-rule.js";
import { controlPlaneContainers, parseGoBool, type ControlPlaneContainer, type Flag } from "./flags.js";
import { fileSettings, isKubeletConfiguration, KUBELET_RULES, type KubeletSetting, type KubeletSettings, type KubeletVerdict } from "./kubelet-rules.js";

/** The flags that set a field the kubelet rules read, and how the kubelet's pflag reads their value. */
const FIELD_FLAGS: Record<string, { flag: string; parse: (value: string) => unknown }> = {
  "authentication.anonymous.enabled": { flag: "anonymous-auth", parse: goBool },
  "authentication.webhook.enabled": { flag: "authentication-token-webhook", parse: goBool },
  "authentication.x509.clientCAFile": { flag: "client-ca-file", parse: (v) => v },
  "authorization.mode": { flag: "authorization-mode", parse: (v) => v },
  readOnlyPort: { flag: "read-only-port", parse: goInt },
  rotateCertificates: { flag: "rotate-certificates", parse: goBool },
  protectKernelDefaults: { flag: "protect-kernel-defaults", parse: goBool },
  makeIPTablesUtilChains: { flag: "make-iptables-util-chains", parse: goBool },
  seccompDefault: { flag: "seccomp-default", parse: goBool },
};

/** applyLegacyDefaults: what a kubelet without --config starts from, where it differs from v1beta1. */
const LEGACY_DEFAULTS: Record<string, unknown> = {
  "authentication.anonymous.enabled": true,
  "authentication.webhook.enabled": false,
  "authorization.mode": "AlwaysAllow",
  readOnlyPort: 10255,
};

/** A value the kubelet refuses (`--anonymous-auth=maybe`) stays text, which no rule takes for true or false. */
function goBool(value: string): unknown {
  return parseGoBool(value) ?? value;
}

/**
 * pflag's IntVar reads with strconv.ParseInt(s, 0, 64): decimal, or 0x, 0o, 0b or a leading 0
 * (octal). Anything else the kubelet refuses; it stays text, which no rule takes for a port.
 */
function goInt(value: string): unknown {
  const match = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(value);
  if (!match) return value;
  const [, sign, hex, octal, binary, decimal] = match;
  const magnitude = hex !== undefined ? Number.parseInt(hex, 16) : octal !== undefined ? Number.parseInt(octal, 8) : binary !== undefined ? Number.parseInt(binary, 2) : Number(decimal);
  return sign === "-" ? -magnitude : magnitude;
}

/** The settings of a kubelet container: its flags over its --config file (when paired) or the defaults. */
function containerSettings(c: ControlPlaneContainer, config: LoadedObject | undefined): KubeletSettings {
  const configFlag = flag(c, "config");
  const file = config ? fileSettings(config.object) : undefined;
  return {
    get(path, byDefault): KubeletSetting {
      const name = path.join(".");
      const mapping = FIELD_FLAGS[name];
      const f: Flag | undefined = mapping ? c.flags.get(mapping.flag) : undefined;
      if (mapping && f) return { value: mapping.parse(f.value), said: `--${f.name}=${f.value}`, path: f.path, origin: "flag" };
      const flagName = mapping ? `--${mapping.flag}` : name;
      if (!configFlag) {
        const legacy = name in LEGACY_DEFAULTS;
        const value = legacy ? LEGACY_DEFAULTS[name] : byDefault;
        return { value, said: `${flagName} is not set, and without --config defaults to ${JSON.stringify(value)}`, path: c.path, origin: "default" };
      }
      // With --config, the file decides: its own findings say so, or we could not read it.
      if (file) return { ...file.get(path, byDefault), origin: "unknown" };
      return { value: undefined, said: `${flagName} is not set`, path: c.path, origin: "unknown" };
    },
  };
}

/** The fields a kubelet container sets by flag, which its --config file does not decide. */
function overriddenFields(c: ControlPlaneContainer): Set<string> {
  return new Set(Object.entries(FIELD_FLAGS).filter(([, m]) => c.flags.has(m.flag)).map(([field]) => field));
}

interface KubeletContainer {
  loaded: LoadedObject;
  container: ControlPlaneContainer;
}

/**
 * The KubeletConfiguration a kubelet's --config names, when the scan lets us tell: the only
 * one in the same file as the kubelet, else the only one in the scan when only one kubelet
 * names a --config. Paths on the node are not paths in the scan, so nothing finer is sound.
 */
function pairedConfig(kubelet: KubeletContainer, configs: readonly LoadedObject[], withConfig: readonly KubeletContainer[]): LoadedObject | undefined {
  const sameFile = configs.filter((c) => c.source.file === kubelet.loaded.source.file);
  if (sameFile.length === 1) return sameFile[0];
  if (sameFile.length === 0 && configs.length === 1 && withConfig.length === 1) return configs[0];
  return undefined;
}

function finding(rule: (typeof KUBELET_RULES)[number], verdict: KubeletVerdict, loaded: LoadedObject, object: Finding["object"]): Finding {
  return { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message: verdict.message, object, fieldPath: formatFieldPath(verdict.setting.path), position: loaded.source.locate(verdict.setting.path), remediation: rule.docs.remediation };
}

/** A KubeletConfiguration has no name: its findings name it "kubelet" (the report groups them by file). */
function configObject(loaded: LoadedObject): Finding["object"] {
  return { ...objectRef(loaded.object), name: loaded.object.metadata?.name ?? "kubelet" };
}

/**
 * Every kubelet finding of a scan: each KubeletConfiguration on its own (less what the flags
 * of its kubelet override), and each kubelet container's flags, or its defaults without --config.
 */
export function kubeletFindings(snapshot: Snapshot): Finding[] {
  const configs = snapshot.objects.filter((o) => isKubeletConfiguration(o.object));
  const kubelets: KubeletContainer[] = snapshot.objects.flatMap((loaded) => controlPlaneContainers(loaded.object).filter((c) => c.component === "kubelet").map((container) => ({ loaded, container })));
  const withConfig = kubelets.filter((k) => flag(k.container, "config"));
  const overrides = new Map<LoadedObject, Set<string>>();
  const findings: Finding[] = [];
  for (const kubelet of kubelets) {
    const configFlag = flag(kubelet.container, "config");
    const config = configFlag ? pairedConfig(kubelet, configs, withConfig) : undefined;
    if (config) overrides.set(config, new Set([...(overrides.get(config) ?? []), ...overriddenFields(kubelet.container)]));
    const settings = containerSettings(kubelet.container, config);
    const object = objectRef(kubelet.loaded.object);
    for (const rule of KUBELET_RULES) {
      const verdict = rule.check(settings);
      if (verdict && (verdict.setting.origin === "flag" || verdict.setting.origin === "default")) findings.push(finding(rule, verdict, kubelet.loaded, object));
    }
    if (configFlag && !config) findings.push(configUnchecked(kubelet, configFlag, configs.length));
  }
  for (const config of configs) {
    const settings = fileSettings(config.object, overrides.get(config));
    for (const rule of KUBELET_RULES) {
      const verdict = rule.check(settings);
      // A field a flag overrides is not the kubelet's truth; one of the wrong type is kubelet/config-refused's.
      if (verdict && verdict.setting.origin !== "overridden" && verdict.setting.origin !== "unknown") findings.push(finding(rule, verdict, config, configObject(config)));
    }
  }
  return findings;
}

function configUnchecked(kubelet: KubeletContainer, configFlag: Flag, scanned: number): Finding {
  const why =
    scanned === 0
      ? "is not among the scanned files"
      : `cannot be told apart among the ${scanned} KubeletConfiguration${scanned === 1 ? "" : "s"} scanned (none in the same file, and not one kubelet to one file), so each was judged on its own`;
  return {
    ruleId: "kubelet/config-unchecked",
    severity: "info",
    pillar: "platform",
    message: `--config=${configFlag.value} ${why}: only the kubelet's flags were judged`,
    object: objectRef(kubelet.loaded.object),
    fieldPath: formatFieldPath(configFlag.path),
    position: kubelet.loaded.source.locate(configFlag.path),
    remediation: KUBELET_CONFIG_UNCHECKED.docs.remediation,
  };
}

export const KUBELET_CONFIG_UNCHECKED = {
  id: "kubelet/config-unchecked",
  title: "The kubelet's configuration file was not scanned",
  family: "hardening",
  pillar: "platform",
  severity: "info",
  docs: {
    description: "A kubelet's --config names a KubeletConfiguration that is not among the scanned files, or that Palisade cannot tell apart from others: the settings the file decides were not checked with the kubelet's flags.",
    remediation: "Scan the kubelet's --config file in the same file as its manifest (or as the only KubeletConfiguration of the scan).",
    helpUri: "https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/",
  },
} as const;
