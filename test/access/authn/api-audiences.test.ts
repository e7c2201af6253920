/**
 * kube-apiserver's API audiences read from its static pod: --api-audiences, else every
 * --service-account-issuer (pkg/kubeapiserver/options/authentication.go). Both flags may be
 * written several times: --service-account-issuer is a pflag StringArray (each occurrence one
 * issuer; the first signs, all are accepted, as when an issuer is being migrated), and
 * --api-audiences a StringSlice (occurrences add up, each comma-separated).
 */
import { describe, expect, it } from "vitest";
import { apiServerAudiences, effectiveApiAudiences } from "../../../src/access/authn/api-audiences.js";
import type { K8sObject } from "../../../src/k8s/types.js";

const apiserver = (...flags: string[]): { object: K8sObject } => ({
  object: {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "kube-apiserver", namespace: "kube-system" },
    spec: { containers: [{ name: "kube-apiserver", image: "registry.k8s.io/kube-apiserver:v1.33.0", command: ["kube-apiserver", ...flags] }] },
  },
});

const audiences = (...flags: string[]) => [...(apiServerAudiences([apiserver(...flags)]) ?? [])];

describe("kube-apiserver's API audiences", () => {
  it("default to every issuer, not only the first, for the token authenticator and the manifest reading alike", () => {
    expect(effectiveApiAudiences(undefined, ["https://new.example", "https://old.example"])).toEqual(["https://new.example", "https://old.example"]);
    expect(effectiveApiAudiences([], ["https://new.example", "https://old.example"])).toEqual(["https://new.example", "https://old.example"]);
    expect(effectiveApiAudiences(["api"], ["https://new.example", "https://old.example"])).toEqual(["api"]);
  });

  it("keep every --service-account-issuer of a manifest that repeats the flag", () => {
    expect(audiences("--service-account-issuer=https://new.example", "--service-account-issuer=https://old.example")).toEqual(["https://new.example", "https://old.example"]);
    expect(audiences("--service-account-issuer", "https://new.example", "--service-account-issuer=https://old.example", "--api-audiences=api")).toEqual(["api"]);
  });

  it("add up repeated --api-audiences, as a string-slice flag does", () => {
    expect(audiences("--service-account-issuer=https://new.example", "--api-audiences=api,vault", "--api-audiences=extra")).toEqual(["api", "vault", "extra"]);
  });

  it("are unknown without a kube-apiserver in the input", () => {
    expect(apiServerAudiences([])).toBeUndefined();
  });
});
