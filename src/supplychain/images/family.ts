import type { Finding } from "../../findings/types.js";
import type { ScanFamily } from "../../scan/family.js";
import { checkImages, type ReferenceCache } from "./check.js";
import { IMAGE_RULE_LIST } from "./rules.js";

/** Container images as a `palisade scan` family: each object on its own, as it loads. */
export const imagesFamily: ScanFamily = {
  id: "images",
  rules: IMAGE_RULE_LIST,
  check(snapshot, options) {
    const cache: ReferenceCache = new Map();
    return snapshot.objects.flatMap((loaded) => checkImages(loaded, options.imageAdmission, cache));
  },
  stream(options) {
    const cache: ReferenceCache = new Map();
    const findings: Finding[] = [];
    return {
      observe: (loaded) => {
        for (const finding of checkImages(loaded, options.imageAdmission, cache)) findings.push(finding);
      },
      finish: () => findings,
    };
  },
};
