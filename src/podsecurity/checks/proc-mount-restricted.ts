import type { Check } from "../check.js";
import { procMountStrict } from "./proc-mount.js";

export const procMountRestricted: Check = {
  id: "procMount_restricted",
  level: "restricted",
  title: "The default /proc masks must be kept, even in a user namespace",
  remediation: "Remove securityContext.procMount or set it to Default.",
  versions: [{ minimumMinor: 35, check: procMountStrict, overrides: ["procMount"] }],
};
