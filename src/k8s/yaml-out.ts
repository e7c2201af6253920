import { Document, isScalar, visit, type CreateNodeOptions, type DocumentOptions, type SchemaOptions, type ToStringOptions } from "yaml";
import { resolvePlainScalar } from "./yaml-scalars.js";

/**
 * YAML that Kubernetes reads back as written. kubectl reads YAML 1.1's way, and go-yaml
 * v2's own way beyond it (yaml-scalars.ts): a YAML 1.2 writer leaves `on`, `yes`, `n`,
 * `1_000` and `1:20` unquoted, so a label value "on" printed so is the boolean true to
 * kubectl and the API server refuses the object. Written as YAML 1.1, and with every
 * string quoted that the Kubernetes reading would not give back as that string (`1e_0`
 * is the number 1 to go-yaml v2, though not to YAML 1.1).
 */
export function kubernetesYaml(value: unknown, options: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {}): string {
  const document = new Document(value, { ...options, version: "1.1" });
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && resolvePlainScalar(node.value) !== node.value) node.type = "QUOTE_DOUBLE";
    },
  });
  return document.toString(options);
}
