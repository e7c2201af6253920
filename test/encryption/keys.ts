import { randomBytes } from "node:crypto";

/** Fresh random keys for each test run: no key material lives in the repo. */
export const randomKey = (bytes = 32): string => randomBytes(bytes).toString("base64");
