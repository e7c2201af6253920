/** The logger's redaction, the second line of defence should a TokenReview reach a log call. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/adapters/webhook/logger.js";

function logged(object: Record<string, unknown>): string {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  createLogger("info", sink).info(object, "test");
  return lines.join("");
}

describe("token redaction in webhook logs", () => {
  // Generated per run: no token material in the repo.
  const token = `tok-${Math.random().toString(36).slice(2)}`;
  const review = { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences: ["api"] } };

  it("redacts spec.token of a TokenReview logged whole, or under any one key", () => {
    for (const object of [review, { review }, { body: review }, { spec: review.spec }]) {
      const text = logged(object);
      expect(text, JSON.stringify(Object.keys(object))).not.toContain(token);
      expect(text).toContain("[redacted]");
    }
  });
});
