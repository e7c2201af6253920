/** etcd, kube-controller-manager and kube-scheduler static pods, as kubeadm writes them, hardened and weakened. */
import { describe, expect, it } from "vitest";
import { checkControlPlane, controlPlaneFamily } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function staticPod(name: string, command: string[]): string {
  return [
    "apiVersion: v1",
    "kind: Pod",
    `metadata: {name: ${name}, namespace: kube-system}`,
    "spec:",
    "  hostNetwork: true",
    "  containers:",
    `  - name: ${name}`,
    "    image: registry.k8s.io/x:v1",
    "    command:",
    ...command.map((arg) => `    - ${arg}`),
    "",
  ].join("\n");
}

function judge(name: string, command: string[]) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile(`${name}.yaml`, staticPod(name, command)).objects };
  return checkControlPlane(snapshot).map((f) => `${f.ruleId} ${f.fieldPath}`);
}

/** kubeadm's etcd flags (v1.3x). */
const ETCD = [
  "etcd",
  "--advertise-client-urls=https://10.0.0.10:2379",
  "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
  "--client-cert-auth=true",
  "--data-dir=/var/lib/etcd",
  "--initial-advertise-peer-urls=https://10.0.0.10:2380",
  "--initial-cluster=cp-1=https://10.0.0.10:2380",
  "--key-file=/etc/kubernetes/pki/etcd/server.key",
  "--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379",
  "--listen-metrics-urls=http://127.0.0.1:2381",
  "--listen-peer-urls=https://10.0.0.10:2380",
  "--name=cp-1",
  "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
  "--peer-client-cert-auth=true",
  "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
  "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
  "--snapshot-count=10000",
  "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
];

/** kubeadm's kube-controller-manager flags, with --profiling=false added. */
const CONTROLLER_MANAGER = [
  "kube-controller-manager",
  "--allocate-node-cidrs=true",
  "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
  "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
  "--bind-address=127.0.0.1",
  "--client-ca-file=/etc/kubernetes/pki/ca.crt",
  "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
  "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
  "--controllers=*,bootstrapsigner,tokencleaner",
  "--kubeconfig=/etc/kubernetes/controller-manager.conf",
  "--leader-elect=true",
  "--profiling=false",
  "--root-ca-file=/etc/kubernetes/pki/ca.crt",
  "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
  "--use-service-account-credentials=true",
];

const SCHEDULER = ["kube-scheduler", "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf", "--bind-address=127.0.0.1", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true", "--profiling=false"];

const without = (flags: string[], ...names: string[]) => flags.filter((f) => !names.some((n) => f.startsWith(`--${n}=`)));

describe("etcd, kube-controller-manager and kube-scheduler flags", () => {
  it("finds nothing in kubeadm's hardened static pods", () => {
    expect(judge("etcd", ETCD)).toEqual([]);
    expect(judge("kube-controller-manager", CONTROLLER_MANAGER)).toEqual([]);
    expect(judge("kube-scheduler", SCHEDULER)).toEqual([]);
  });

  it("etcd: client and peer authentication off by default, self-signed TLS, plain HTTP to the network", () => {
    expect(judge("etcd", without(ETCD, "client-cert-auth", "peer-client-cert-auth")).sort()).toEqual(["etcd/client-cert-auth spec.containers[0]", "etcd/peer-client-cert-auth spec.containers[0]"]);
    expect(judge("etcd", [...without(ETCD, "client-cert-auth"), "--client-cert-auth=false", "--auto-tls=true"])).toEqual(["etcd/client-cert-auth spec.containers[0].command[17]", "etcd/auto-tls spec.containers[0].command[18]"]);
    expect(judge("etcd", [...without(ETCD, "listen-client-urls"), "--listen-client-urls=http://127.0.0.1:2379,http://10.0.0.10:2379"])).toEqual(["etcd/plain-http spec.containers[0].command[17]"]);
    // Plain HTTP on loopback (kubeadm's metrics URL) is the node's own business.
    expect(judge("etcd", [...without(ETCD, "listen-client-urls"), "--listen-client-urls=http://127.0.0.1:2379"])).toEqual([]);
    expect(judge("etcd", [...without(ETCD, "listen-client-urls"), "--listen-client-urls=http://[::1]:2379,http://127.0.0.2:2379"])).toEqual([]);
    // Unset, etcd listens on http://localhost: loopback, so not plain-http, but client-cert-auth still applies.
    expect(judge("etcd", ["etcd"]).sort()).toEqual(["etcd/client-cert-auth spec.containers[0]", "etcd/peer-client-cert-auth spec.containers[0]"]);
  });

  it("kube-controller-manager and kube-scheduler: defaults that kubeadm leaves, and what it sets", () => {
    expect(judge("kube-controller-manager", ["kube-controller-manager"]).sort()).toEqual(
      [
        "controller-manager/bind-address spec.containers[0]",
        "controller-manager/profiling spec.containers[0]",
        "controller-manager/root-ca-file spec.containers[0]",
        "controller-manager/service-account-credentials spec.containers[0]",
        "controller-manager/service-account-key spec.containers[0]",
      ].sort(),
    );
    // kubeadm leaves --profiling at its default: the one finding on a kubeadm control plane.
    expect(judge("kube-controller-manager", without(CONTROLLER_MANAGER, "profiling"))).toEqual(["controller-manager/profiling spec.containers[0]"]);
    expect(judge("kube-scheduler", [...without(SCHEDULER, "bind-address"), "--bind-address=0.0.0.0"])).toEqual(["scheduler/bind-address spec.containers[0].command[5]"]);
    expect(judge("kube-scheduler", [...without(SCHEDULER, "bind-address"), "--bind-address=::1"])).toEqual([]);
  });

  it("names every rule in the family, with docs", () => {
    const ids = controlPlaneFamily.rules.map((r) => r.id);
    for (const id of ["etcd/client-cert-auth", "etcd/plain-http", "controller-manager/service-account-credentials", "scheduler/profiling"]) expect(ids).toContain(id);
    for (const rule of controlPlaneFamily.rules) expect(rule.docs.remediation.length).toBeGreaterThan(10);
  });
});
