/** Dockerfile checks: the entry points the scanner and CLI use. */
export { checkDockerfile, isDockerfilePath } from "./check.js";
export { DOCKERFILE_RULES, DOCKERFILE_RULE_LIST } from "./rules.js";
export { parseImageRef, type ImageRef } from "./image-ref.js";
