/**
 * The start-up warning for /authenticate and /authorize without server.clientCAFile: logged
 * (once, at warn) exactly when the server answers one of them and checks no client
 * certificate; and which endpoints a configuration serves, as the engine decides it.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { tokenFileAuthenticator } from "../../src/access/authn/tokenfile.js";
import type { AccessAuthorizer } from "../../src/admission/access/subject-access-review.js";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { accessEndpoints, createEngine } from "../../src/adapters/webhook/engine.js";
import { createLogger } from "../../src/adapters/webhook/logger.js";
import { warnOpenAccessEndpoints, type OpenAccessInput } from "../../src/adapters/webhook/open-access.js";

const FIX = "set server.clientCAFile to the CA of kube-apiserver's client certificate so that only kube-apiserver is answered";
const MESSAGE_BOTH = `/authenticate and /authorize answer any caller that can reach the port, telling it whether a bearer token is valid and whose it is and what a user may do: ${FIX}`;

function logged(input: OpenAccessInput): { returned: boolean; lines: Record<string, unknown>[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const returned = warnOpenAccessEndpoints(createLogger("info", sink), input);
  return { returned, lines: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function config(access: string) {
  return parseWebhookConfig("inline.yaml", `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\npolicies:\n  nodeRestriction: { mode: enforce }\n${access}`, (path) => {
    throw new Error(`unexpected read of ${path}`);
  });
}

describe("the open access endpoints warning", () => {
  it("is logged once, at warn, naming the endpoints and server.clientCAFile, when access endpoints are served without a client CA", () => {
    const { returned, lines } = logged({ endpoints: ["/authenticate", "/authorize"] });
    expect(returned).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, component: "palisade-webhook", endpoints: ["/authenticate", "/authorize"], setting: "server.clientCAFile", msg: MESSAGE_BOTH });
    expect(logged({ endpoints: ["/authorize"] }).lines[0]!.msg).toBe(`/authorize answers any caller that can reach the port, telling it what a user may do: ${FIX}`);
    expect(logged({ endpoints: ["/authenticate"] }).lines[0]!.msg).toBe(`/authenticate answers any caller that can reach the port, telling it whether a bearer token is valid and whose it is: ${FIX}`);
  });

  it("is not logged with a client CA, or when neither access endpoint is served", () => {
    expect(logged({ clientCAFile: "apiserver-ca.crt", endpoints: ["/authenticate", "/authorize"] })).toEqual({ returned: false, lines: [] });
    expect(logged({ endpoints: [] })).toEqual({ returned: false, lines: [] });
    expect(logged({ clientCAFile: undefined, endpoints: [] })).toEqual({ returned: false, lines: [] });
  });
});

describe("accessEndpoints: what the engine built from the same options answers", () => {
  const authenticator = tokenFileAuthenticator("t0ken-for-test,alice,1\n", "tokens.csv");
  const authorizer: AccessAuthorizer = { authorize: () => ({ allowed: false, reason: "" }) };
  const cases = [
    { name: "no access settings", options: { config: config("") }, expected: [] },
    { name: "a token file", options: { config: config(""), authenticator }, expected: ["/authenticate"] },
    { name: "RBAC manifests", options: { config: config(""), authorizer }, expected: ["/authorize"] },
    { name: "a production guardrail", options: { config: config("access:\n  guardrails:\n    production: { key: env, value: prod }\n") }, expected: ["/authorize"] },
    { name: "a tenant guardrail and a token file", options: { config: config("access:\n  guardrails:\n    tenantLabel: tenant\n"), authenticator }, expected: ["/authenticate", "/authorize"] },
  ] as const;
  for (const { name, options, expected } of cases) {
    it(name, () => {
      expect(accessEndpoints(options)).toEqual(expected);
      const engine = createEngine(options);
      expect([...(engine.authenticate ? ["/authenticate"] : []), ...(engine.authorize ? ["/authorize"] : [])]).toEqual(expected);
    });
  }
});
