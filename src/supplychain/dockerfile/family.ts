import type { Finding } from "../../findings/types.js";
import type { TextFile } from "../../k8s/load.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { READS_NOTHING, type ScanFamily } from "../../scan/family.js";
import { checkDockerfile } from "./check.js";
import { DOCKERFILE_RULE_LIST } from "./rules.js";

/** The Dockerfile checks as a `palisade scan` family, over the Dockerfiles the loader collected. */
export const dockerfileFamily: ScanFamily = {
  id: "dockerfile",
  rules: DOCKERFILE_RULE_LIST,
  check(snapshot: Snapshot): Finding[] {
    const textFiles = (snapshot as Snapshot & { textFiles?: TextFile[] }).textFiles ?? [];
    return textFiles.filter((f) => f.kind === "dockerfile").flatMap((f) => checkDockerfile(f.text, f.file));
  },
  // Dockerfiles are text files, not objects.
  reads: () => READS_NOTHING,
};
