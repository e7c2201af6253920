import { eachObject, type ScanFamily } from "../scan/family.js";
import { checkSecrets } from "./check.js";
import { SECRET_RULE_LIST } from "./rules.js";

/** Credentials written into manifests, as a `palisade scan` family: each object on its own, as it loads. */
export const secretsFamily: ScanFamily = {
  id: "secrets",
  rules: SECRET_RULE_LIST,
  check: (snapshot) => snapshot.objects.flatMap(checkSecrets),
  stream: () => eachObject(checkSecrets),
};
