/**
 * A kubeconfig value of a type clientcmd's api/v1 types do not take makes client-go's Load
 * fail for the whole file, with Go's JSON error for the first such value in the sorted JSON
 * sigs.k8s.io/yaml makes of the YAML. kubeconfig/refused-entry reports that one, once, at
 * its field; the entries keep the names YAML read (2024, true), so that a context still
 * finds the entry it names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function judge(text: string) {
  const parsed = parseYamlFile("config", text);
  expect(parsed.problems).toEqual([]);
  return checkKubeconfigs({ ...emptySnapshot(), objects: parsed.objects }, {});
}
const typeRefusals = (text: string) =>
  judge(text)
    .filter((f) => f.ruleId === "kubeconfig/refused-entry" && f.message.includes("kubectl refuses the whole file (json:"))
    .map((f) => [f.severity, f.fieldPath, f.message]);

const config = (clusters: string, users: string, contexts: string, current = "c") =>
  `apiVersion: v1\nkind: Config\nclusters: ${clusters}\nusers: ${users}\ncontexts: ${contexts}\ncurrent-context: ${current}\n`;

describe("kubeconfig values of the wrong type", () => {
  it("a cluster named by a number: refused once at the name in Go's words, the entry named by its reading", () => {
    const text = config('[{name: 2024, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]', "[{name: admin, user: {token: abcdef}}]", "[{name: c, context: {cluster: 2024, user: admin}}]");
    expect(typeRefusals(text)).toEqual([
      ["medium", "clusters[0].name", "clusters[0].name is a number where client-go's types take text: kubectl refuses the whole file (json: cannot unmarshal number into Go struct field NamedCluster.clusters.name of type string)"],
    ]);
    const messages = judge(text).map((f) => f.message);
    expect(messages).toContain("cluster 2024 skips verifying the API server's certificate");
    // The context names that very cluster: it is defined.
    expect(messages.filter((m) => m.includes("which the file does not define"))).toEqual([]);
  });

  it("a user named y (YAML 1.1's true) is the one the current context uses, and the context's reference is what Go meets first", () => {
    const text = config('[{name: a, cluster: {server: "https://127.0.0.1:1"}}]', "[{name: y, user: {exec: {command: aws}}}]", "[{name: c, context: {cluster: a, user: y}}]");
    expect(typeRefusals(text)).toEqual([
      ["medium", "contexts[0].context.user", "contexts[0].context.user is a boolean where client-go's types take text: kubectl refuses the whole file (json: cannot unmarshal bool into Go struct field Context.contexts.context.user of type string)"],
    ]);
    const found = judge(text);
    expect(found.filter((f) => f.message.includes("does not use"))).toEqual([]);
    expect(found.filter((f) => f.fieldPath === "users[0].user.exec").map((f) => f.severity)).toEqual(["medium", "medium"]);
  });

  it("wrong shapes: a mapping for a list, a number for current-context, a list for a context", () => {
    expect(typeRefusals(config("{a: 1}", "[]", "[]")).map((r) => r[2])).toEqual([
      "clusters is a mapping where client-go's types take a list: kubectl refuses the whole file (json: cannot unmarshal object into Go struct field Config.clusters of type []v1.NamedCluster)",
    ]);
    expect(typeRefusals(config("[]", "[]", "[{name: '5', context: {}}]", "5")).map((r) => r[2])).toEqual([
      "current-context is a number where client-go's types take text: kubectl refuses the whole file (json: cannot unmarshal number into Go struct field Config.current-context of type string)",
    ]);
    expect(typeRefusals(config("[]", "[]", "[{name: c, context: [a]}]")).map((r) => r[2])).toEqual([
      "contexts[0].context is a list where client-go's types take a mapping: kubectl refuses the whole file (json: cannot unmarshal array into Go struct field NamedContext.contexts.context of type v1.Context)",
    ]);
    expect(typeRefusals(config("[5]", "[]", "[]")).map((r) => r[2])).toEqual([
      "clusters[0] is a number where client-go's types take a mapping: kubectl refuses the whole file (json: cannot unmarshal number into Go struct field Config.clusters of type v1.NamedCluster)",
    ]);
  });

  it("several: only the first in the sorted JSON's order (cluster before name within an entry, clusters before users)", () => {
    const text = config("[{name: 7, cluster: {server: 6}}]", "[{name: 5, user: {token: 4}}]", "[{name: c, context: {namespace: off}}]");
    expect(typeRefusals(text).map((r) => r[1])).toEqual(["clusters[0].cluster.server"]);
    expect(typeRefusals(text)[0]?.[2]).toContain("json: cannot unmarshal number into Go struct field Cluster.clusters.cluster.server of type string");
    expect(typeRefusals(config('[{name: a, cluster: {server: "https://x"}}]', "[{name: u, user: {exec: {command: x, args: [--v, 3]}}}]", "[]")).map((r) => r[2])).toEqual([
      "users[0].user.exec.args[1] is a number where client-go's types take text: kubectl refuses the whole file (json: cannot unmarshal number into Go struct field ExecConfig.users.user.exec.args of type string)",
    ]);
  });

  it("property: one scalar of another type at any name or reference is refused once, at that field", () => {
    const fields = [
      ["clusters[0].name", "NamedCluster.clusters.name"],
      ["users[0].name", "NamedAuthInfo.users.name"],
      ["contexts[0].name", "NamedContext.contexts.name"],
      ["contexts[0].context.cluster", "Context.contexts.context.cluster"],
      ["contexts[0].context.user", "Context.contexts.context.user"],
      ["contexts[0].context.namespace", "Context.contexts.context.namespace"],
      ["current-context", "Config.current-context"],
    ] as const;
    const scalar = fc.oneof(
      fc.integer({ min: 0, max: 99999 }).map((n) => [String(n), "number"] as const),
      fc.constantFrom("y", "n", "yes", "off", "true", "False").map((w) => [w, "bool"] as const),
      fc.constantFrom("1.5", "0x1F", "1e3").map((w) => [w, "number"] as const),
    );
    fc.assert(
      fc.property(fc.constantFrom(...fields), scalar, ([field, goField], [written, kind]) => {
        const v = (f: string, ok: string) => (f === field ? written : ok);
        const text = config(
          `[{name: ${v("clusters[0].name", "a")}, cluster: {server: "https://x"}}]`,
          `[{name: ${v("users[0].name", "u")}, user: {token: t0ken-value}}]`,
          `[{name: ${v("contexts[0].name", "c")}, context: {cluster: ${v("contexts[0].context.cluster", "a")}, user: ${v("contexts[0].context.user", "u")}, namespace: ${v("contexts[0].context.namespace", "ns")}}}]`,
          v("current-context", "c"),
        );
        const refusals = typeRefusals(text);
        expect(refusals.map((r) => r[1])).toEqual([field]);
        expect(refusals[0]?.[2]).toContain(`(json: cannot unmarshal ${kind} into Go struct field ${goField} of type string)`);
      }),
    );
  });
});
