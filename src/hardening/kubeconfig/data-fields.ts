/**
 * The `*-data` fields of a kubeconfig as client-go loads them. certificate-authority-data,
 * client-certificate-data and client-key-data are []byte in clientcmd's api/v1 types, so the
 * YAML is turned into JSON and Go's encoding/json decodes each with base64.StdEncoding:
 * padding required, only CR and LF skipped. A value it refuses fails the load of the whole
 * file ("illegal base64 data at input byte N"), whether or not any context uses the entry,
 * and client-go never gets as far as reading the certificate in it.
 */
import { decodeStdBase64, stdBase64ErrorOffset } from "../../k8s/go-base64.js";
import type { FieldPath } from "../../k8s/types.js";
import { notBase64Reason, type NotBase64Reason } from "../../manifest/describe-base64.js";
import type { Refusal } from "./client-go-refusals.js";
import type { Kubeconfig } from "./read.js";

const CLUSTER_DATA_FIELDS = ["certificate-authority-data"] as const;
const USER_DATA_FIELDS = ["client-certificate-data", "client-key-data"] as const;

/** The bytes client-go holds for a `*-data` value, or undefined when Go refuses it (reported by notBase64Refusals). */
export function decodedData(value: string): Buffer | undefined {
  const bytes = decodeStdBase64(value);
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Said so that the fix is plain; never a character of the value, which may be a private key. */
const REASONS: Readonly<Record<NotBase64Reason, string>> = {
  character: "it holds a character outside the standard base64 alphabet, such as a space or URL-safe - or _",
  unpadded: "its last group of characters lacks the = padding Go requires",
  padding: "it has an = where no padding can stand",
  trailing: "text follows its = padding",
};

function refusal(path: FieldPath, field: string, owner: string, value: unknown): Refusal[] {
  // null and "" decode to nothing; a value of another type is left to the YAML reading.
  if (typeof value !== "string") return [];
  const offset = stdBase64ErrorOffset(value);
  if (offset === undefined) return [];
  return [
    {
      path: [...path, field],
      message: `the ${field} of ${owner} is not base64 as client-go decodes it (${REASONS[notBase64Reason(value, offset)]}): kubectl refuses the whole file (illegal base64 data at input byte ${offset})`,
      // The load fails before any context is chosen.
      inUse: true,
    },
  ];
}

export function notBase64Refusals(config: Kubeconfig): Refusal[] {
  return [
    ...config.clusters.flatMap((cluster) => CLUSTER_DATA_FIELDS.flatMap((field) => refusal(cluster.path, field, `cluster ${cluster.name}`, cluster.body[field]))),
    ...config.users.flatMap((user) => USER_DATA_FIELDS.flatMap((field) => refusal(user.path, field, `user ${user.name}`, user.user[field]))),
  ];
}
