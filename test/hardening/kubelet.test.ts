/** KubeletConfiguration files, as kubeadm writes /var/lib/kubelet/config.yaml, hardened and weakened. */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

/** kubeadm's kubelet config (zero durations and all), with the two settings it leaves to the admin set. */
const KUBEADM = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
protectKernelDefaults: true
rotateCertificates: true
runtimeRequestTimeout: 0s
seccompDefault: true
shutdownGracePeriod: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;

function judge(text: string) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("config.yaml", text).objects };
  return checkControlPlane(snapshot).map((f) => `${f.ruleId} ${f.fieldPath} | ${f.message}`);
}

const replace = (from: string, to: string) => {
  if (!KUBEADM.includes(from)) throw new Error(`fixture has no ${from}`);
  return KUBEADM.replace(from, to);
};

describe("kubelet configuration", () => {
  it("finds nothing in kubeadm's config with kernel defaults protected and seccomp by default (its 0s durations are defaults, not zero)", () => {
    expect(judge(KUBEADM)).toEqual([]);
  });

  it("judges an empty file by the v1beta1 defaults: safe authentication, but no client CA, certificate rotation, kernel protection or default seccomp", () => {
    expect(judge("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n")).toEqual([
      "kubelet/client-ca authentication.x509.clientCAFile | authentication.x509.clientCAFile is not set",
      // v1beta1's rotateCertificates defaults to false: unset, the client certificate is never renewed.
      "kubelet/rotate-certificates rotateCertificates | rotateCertificates is not set, and defaults to false",
      "kubelet/protect-kernel-defaults protectKernelDefaults | protectKernelDefaults is not set, and defaults to false",
      "kubelet/seccomp-default seccompDefault | seccompDefault is not set, and defaults to false",
    ]);
  });

  it("finds each weakness at its field", () => {
    expect(judge(replace("  anonymous:\n    enabled: false", "  anonymous:\n    enabled: true"))).toEqual(["kubelet/anonymous-auth authentication.anonymous.enabled | authentication.anonymous.enabled: true: unauthenticated requests reach the kubelet's API"]);
    expect(judge(replace("    cacheTTL: 0s\n    enabled: true", "    cacheTTL: 0s\n    enabled: false"))[0]).toMatch(/^kubelet\/webhook-authentication authentication.webhook.enabled /);
    expect(judge(replace("  mode: Webhook", "  mode: AlwaysAllow"))[0]).toMatch(/^kubelet\/always-allow authorization.mode /);
    expect(judge(replace("healthzPort: 10248", "healthzPort: 10248\nreadOnlyPort: 10255"))).toEqual(["kubelet/read-only-port readOnlyPort | readOnlyPort: 10255 serves pods and node details without authentication"]);
    expect(judge(replace("rotateCertificates: true", "rotateCertificates: false"))).toEqual(["kubelet/rotate-certificates rotateCertificates | rotateCertificates: false"]);
    expect(judge(replace("healthzPort: 10248", "healthzPort: 10248\nmakeIPTablesUtilChains: false"))).toEqual(["kubelet/iptables-util-chains makeIPTablesUtilChains | makeIPTablesUtilChains: false"]);
  });

  it("points at the line of the field", () => {
    const text = replace("  mode: Webhook", "  mode: AlwaysAllow");
    const snapshot = { ...emptySnapshot(), objects: parseYamlFile("config.yaml", text).objects };
    const [finding] = checkControlPlane(snapshot);
    expect(text.split("\n")[(finding?.position?.line ?? 0) - 1]).toBe("  mode: AlwaysAllow");
    expect(finding?.object).toEqual({ apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", name: "kubelet" });
  });
});
