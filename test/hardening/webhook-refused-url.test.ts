/**
 * webhook/plain-http and webhook/refused-url: a webhook clientConfig the API server refuses
 * (k8s.io/apiserver util/webhook ValidateWebhookURL with forceHttps=true; exactly one of url and
 * service), for admission webhooks and CRD conversion webhooks. The whole object is refused,
 * so the findings say so, and the caBundle rules do not judge a server that is never called.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkControlPlane, controlPlaneFamily } from "../../src/hardening/family.js";
import { webhookUrlErrors } from "../../src/hardening/webhook-url.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { admissionWebhook, conversionWebhook } from "../support/webhook-registrations.js";

const CA = "caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==";
const judge = (text: string) => checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("registrations.yaml", text).objects });
const urlFindings = (text: string) => judge(text).filter((f) => f.ruleId === "webhook/plain-http" || f.ruleId === "webhook/refused-url");
const withUrl = (url: string) => admissionWebhook("ValidatingWebhookConfiguration", `{url: ${JSON.stringify(url)}, ${CA}}`);

describe("ValidateWebhookURL(forceHttps=true), as the API server runs it", () => {
  it("takes an https URL with a host, port and path", () => {
    for (const url of ["https://hooks.example.com/validate", "https://10.0.0.1:8443", "HTTPS://hooks.example.com", "https://[::1]:443/x", "https://h/p?", "https://h/p#"]) expect(webhookUrlErrors(url), url).toEqual([]);
  });

  it("gives upstream's errors, in its order", () => {
    const form = "; desired format: https://host[/path]";
    expect(webhookUrlErrors("http://hooks.example.com/validate")).toEqual([`Invalid value: "http": 'https' is the only allowed URL scheme${form}`]);
    expect(webhookUrlErrors("https://user:pw@hooks.example.com/validate?token=abc#frag")).toEqual(["user information is not permitted in the URL", "fragments are not permitted in the URL", "query parameters are not permitted in the URL"]);
    expect(webhookUrlErrors("https://@hooks.example.com")).toEqual(["user information is not permitted in the URL"]);
    expect(webhookUrlErrors("https:///validate")).toEqual([`Invalid value: "": host must be provided${form}`]);
    // With a scheme and no //, the rest is opaque: no host.
    expect(webhookUrlErrors("https:hooks.example.com")).toEqual([`Invalid value: "": host must be provided${form}`]);
    expect(webhookUrlErrors("hooks.example.com/validate")).toEqual([`Invalid value: "": 'https' is the only allowed URL scheme${form}`, `Invalid value: "": host must be provided${form}`]);
    expect(webhookUrlErrors("https://hooks example.com")[0]).toMatch(/^url must be a valid URL: Go's net\/url finds .*; desired format: https:\/\/host\[\/path\]$/);
  });

  it("refuses any userinfo, query or fragment added to a good URL, and nothing else (property)", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 })), fc.array(label, { maxLength: 3 }), fc.boolean(), fc.boolean(), fc.boolean(), (host, port, path, user, query, fragment) => {
        const url = `https://${user ? "u:p@" : ""}${host.join(".")}${port === null ? "" : `:${port}`}/${path.join("/")}${query ? "?a=b" : ""}${fragment ? "#f" : ""}`;
        const errors = webhookUrlErrors(url);
        expect(errors.includes("user information is not permitted in the URL")).toBe(user);
        expect(errors.includes("query parameters are not permitted in the URL")).toBe(query);
        expect(errors.includes("fragments are not permitted in the URL")).toBe(fragment);
        expect(errors).toHaveLength(Number(user) + Number(query) + Number(fragment));
      }),
      { numRuns: 150 },
    );
  });
});

describe("the findings", () => {
  it("plain http: the API server refuses the whole configuration, at medium, at the url", () => {
    const found = urlFindings(withUrl("http://hooks.example.com/validate"));
    expect(found.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/plain-http medium webhooks[0].clientConfig.url"]);
    expect(found[0]?.message).toBe(
      "the API server refuses ValidatingWebhookConfiguration policy as a whole, so none of its webhooks is registered: webhook check.policy.example.com's clientConfig.url (http://hooks.example.com/validate): Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
    );
  });

  it("userinfo and a query: webhook/refused-url, with neither shown", () => {
    const found = urlFindings(withUrl("https://admin:hunter2@hooks.example.com/validate?token=s3cr3t"));
    expect(found.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/refused-url medium webhooks[0].clientConfig.url"]);
    expect(found[0]?.message).toContain("(https://***@hooks.example.com/validate?…): user information is not permitted in the URL, query parameters are not permitted in the URL");
    expect(JSON.stringify(judge(withUrl("https://admin:hunter2@hooks.example.com/validate?token=s3cr3t")))).not.toMatch(/hunter2|s3cr3t|admin/);
  });

  it("both url and service, or neither: refused at the clientConfig", () => {
    const both = urlFindings(admissionWebhook("MutatingWebhookConfiguration", `{url: "https://h/x", service: {name: s, namespace: n}, ${CA}}`));
    expect(both.map((f) => `${f.ruleId} ${f.fieldPath}`)).toEqual(["webhook/refused-url webhooks[0].clientConfig"]);
    expect(both[0]?.message).toContain("Required value: exactly one of url or service is required");
    expect(urlFindings(admissionWebhook("MutatingWebhookConfiguration", `{${CA}}`)).map((f) => f.ruleId)).toEqual(["webhook/refused-url"]);
  });

  it("a CRD's conversion webhook: the CRD is refused", () => {
    const found = urlFindings(conversionWebhook(`{url: "https://conv.example.com/convert#x", ${CA}}`));
    expect(found.map((f) => `${f.ruleId} ${f.fieldPath}`)).toEqual(["webhook/refused-url spec.conversion.webhook.clientConfig.url"]);
    expect(found[0]?.message).toBe("the API server refuses CustomResourceDefinition widgets.example.com: its conversion webhook's clientConfig.url (https://conv.example.com/convert#…): fragments are not permitted in the URL");
    expect(urlFindings(conversionWebhook(`{url: "http://conv.example.com/convert", ${CA}}`)).map((f) => f.ruleId)).toEqual(["webhook/plain-http"]);
    expect(urlFindings(conversionWebhook(`{url: "https://conv.example.com/convert", ${CA}}`))).toEqual([]);
  });

  it("the caBundle rules do not judge a server the API server never calls", () => {
    const ids = judge(admissionWebhook("ValidatingWebhookConfiguration", `{url: "https://u@hooks.example.com/validate", caBundle: "bm90IGEgY2VydGlmaWNhdGU="}`)).map((f) => f.ruleId);
    expect(ids).toEqual(["webhook/refused-url"]);
  });

  it("lists webhook/refused-url among the rules, with docs", () => {
    const rule = controlPlaneFamily.rules.find((r) => r.id === "webhook/refused-url");
    expect(rule?.severity).toBe("medium");
    expect(rule?.docs.description).toContain("ValidateWebhookURL");
    expect(controlPlaneFamily.rules.find((r) => r.id === "webhook/plain-http")?.title).toBe("The API server refuses the webhook's plain-HTTP URL");
  });
});
