/**
 * `--calico-version v3.30`: which Calico release's policy ordering to follow (Felix breaks
 * ties between equal-order policies differently before v3.29, in v3.29-v3.31 and from v3.32;
 * see src/network/calico/policy-order.ts). It wins over the inputs' ClusterInformation.
 */
import { Option } from "commander";
import { UserError } from "../errors.js";
import type { K8sObject } from "../k8s/types.js";
import { hasOrderTies, type OrderingChoice } from "../network/calico/ordering-choice.js";
import { parseCalicoVersion, type CalicoVersion } from "../network/calico/version.js";
import { printable } from "../report/printable.js";

export function calicoVersionOption(): Option {
  return new Option(
    "--calico-version <version>",
    "Calico release whose ordering of equal-order policies to follow, e.g. v3.30 (default: spec.calicoVersion of a ClusterInformation in the inputs, else v3.32+)",
  );
}

export function calicoVersionFlag(text: string | undefined): CalicoVersion | undefined {
  if (text === undefined) return undefined;
  const version = parseCalicoVersion(text);
  if (version) return version;
  throw new UserError(`--calico-version ${text}: expected a Calico 3.x release such as v3.30 or v3.30.2`, {
    hint: "give the version of calico-node in the cluster (kubectl get clusterinformation default -o jsonpath='{.spec.calicoVersion}')",
  });
}

/**
 * Say on stderr which ordering was used when it was a guess or the cluster's record could not
 * be read, and only when Calico policies are there to be ordered and two of them tie on their
 * order (hasOrderTies): otherwise every Calico version gives the same answer.
 */
export function warnAboutOrdering(choice: OrderingChoice, hasCalicoPolicies: boolean, objects: Iterable<K8sObject>): void {
  if (!hasCalicoPolicies) return;
  if (choice.warning) process.stderr.write(printable(`warning: ${choice.warning}`) + "\n");
  if (choice.source === "assumed" && hasOrderTies(objects)) process.stderr.write(`note: ${choice.summary}; two policies of one tier share an order, and Calico before v3.32 breaks such ties differently: give --calico-version for older clusters\n`);
}
