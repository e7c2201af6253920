/**
 * `palisade netpol compile`: the running pods of the input and the policies that govern
 * them, as the ipset and iptables rules of one node, written as a shell script a root
 * shell on the node can run, or as JSON.
 */
import { UserError } from "../errors.js";
import type { Snapshot } from "../k8s/snapshot.js";
import type { Tier } from "../network/model.js";
import { printable } from "../report/printable.js";
import { compileDataplane, type CompiledDataplane } from "../network/dataplane/compile.js";
import { runningPods } from "../network/dataplane/pod-endpoints.js";
import { CHAIN_PREFIX, SET_PREFIX } from "../network/dataplane/render-iptables.js";

export const COMPILE_FORMATS = ["script", "json", "yaml"] as const;

/** The user's knobs: a shell word must stay one word, and Linux names interfaces in 15 bytes. */
function checkPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9_.-]{1,4}$/.test(prefix)) {
    throw new UserError(`--interface-prefix ${JSON.stringify(prefix)}: expected 1 to 4 letters, digits, '.', '_' or '-'`, { hint: "a prefix and 11 hex digits must fit Linux's 15-character interface names; Calico's is cali" });
  }
}

export function compileForNode(snapshot: Snapshot, tiers: readonly Tier[], flags: { node?: string; interfacePrefix: string }): CompiledDataplane {
  checkPrefix(flags.interfacePrefix);
  const pods = runningPods(snapshot);
  if (!pods.some((p) => p.endpoint.ips.length > 0)) {
    throw new UserError("nothing to compile: no running Pod with an address (status.podIPs) in the input", {
      hint: "rules match packets by address: give the cluster's Pods as they run (kubectl get pods -A -o yaml), or read them live with --cluster",
    });
  }
  if (flags.node !== undefined && !pods.some((p) => p.nodeName === flags.node)) {
    const nodes = [...new Set(pods.map((p) => p.nodeName).filter((n) => n !== undefined))].slice(0, 5);
    throw new UserError(`--node ${flags.node}: no pod of the input is scheduled there (spec.nodeName)`, { hint: nodes.length > 0 ? `nodes in the input: ${nodes.join(", ")}` : "the input's pods name no node; leave --node out to compile for every pod" });
  }
  const options = flags.node === undefined ? { interfacePrefix: flags.interfacePrefix } : { interfacePrefix: flags.interfacePrefix, node: flags.node };
  return compileDataplane(tiers, pods, options);
}

/** A here-document's body cannot end it early: the marker is a line of its own that no rule is. */
function heredoc(command: string, marker: string, body: string): string[] {
  return body === "" ? [] : [`${command} <<'${marker}'`, body.replace(/\n$/, ""), marker];
}

/**
 * What an earlier run wrote and this one did not: nothing jumps to those chains once the new
 * rules are in, so they are flushed (dropping their references to each other and to sets),
 * deleted, and then their sets destroyed. Names are ours ([A-Za-z0-9-]), so they need no quoting.
 */
function staleRemoval(tool: string, chains: readonly string[], setPrefix: string, sets: readonly string[]): string[] {
  return [
    `keep=' ${chains.join(" ")} '`,
    `stale=$(${tool}-save -t filter | sed -n 's/^:\\(${CHAIN_PREFIX}[^ ]*\\) .*/\\1/p' | while read -r name; do case "$keep" in *" $name "*) ;; *) echo "$name" ;; esac; done)`,
    `for name in $stale; do ${tool} -F "$name"; done`,
    `for name in $stale; do ${tool} -X "$name"; done`,
    `keep=' ${sets.join(" ")} '`,
    `for name in $(ipset list -n | grep '^${setPrefix}' || true); do case "$keep" in *" $name "*) ;; *) ipset destroy "$name" ;; esac; done`,
  ];
}

export function renderCompiled(compiled: CompiledDataplane, node: string | undefined): string {
  const header = [
    `# Palisade: NetworkPolicy dataplane for ${node === undefined ? "every pod of the input, as one node" : `node ${node}`} (${compiled.local.length} ${compiled.local.length === 1 ? "pod" : "pods"} with chains).`,
    "# Run as root on the node. Sets and chains are replaced on every run, and those an earlier run wrote that",
    "# this one does not (pods gone, policies changed) are removed; FORWARD gets one jump to PAL-FORWARD.",
    ...compiled.notes.map((note) => `# Note: ${note}`),
    ...compiled.local.map((l) => `#   ${l.interfaceName}  ${l.pod}`),
  ];
  // Names and notes come from the input: in a comment line they must not start a new line of the script.
  const lines = ["#!/bin/sh", ...header.map(printable), "set -eu"];
  for (const [family, rules, tool] of [["IPv4", compiled.ipv4, "iptables"], ["IPv6", compiled.ipv6, "ip6tables"]] as const) {
    lines.push(`# ${family}`);
    lines.push(...heredoc("ipset restore", "PALISADE_IPSET", rules.ipset));
    lines.push(...heredoc(`${tool}-restore --noflush`, "PALISADE_RULES", rules.iptables));
    lines.push(`${tool} -C FORWARD -j ${rules.hookChain} 2>/dev/null || ${tool} -I FORWARD 1 -j ${rules.hookChain}`);
    lines.push(...staleRemoval(tool, rules.chains, `${SET_PREFIX}${family === "IPv4" ? 4 : 6}-`, rules.sets));
  }
  return lines.join("\n") + "\n";
}
