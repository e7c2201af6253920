import { eachObject, type ScanFamily } from "../../scan/family.js";
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
    return eachObject((loaded) => checkImages(loaded, options.imageAdmission, cache));
  },
};
