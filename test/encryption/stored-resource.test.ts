import { describe, expect, it } from "vitest";
import type { EncryptionConfiguration } from "../../src/encryption/index.js";
import { checkStoredResource, resourceOfEtcdKey } from "../../src/encryption/stored-resource.js";

const config = (...names: string[]): EncryptionConfiguration => ({ resources: [{ resources: names, providers: [{ type: "identity" }] }] });
const NOT_STORED = "not a resource kube-apiserver stores";

describe("resourceOfEtcdKey", () => {
  it("maps a key to the resource the encryption config names, through the rotation-keys mapping", () => {
    expect(resourceOfEtcdKey("/registry/secrets/default/db")).toBe("secrets");
    expect(resourceOfEtcdKey("/registry/configmaps/default/app")).toBe("configmaps");
    expect(resourceOfEtcdKey("/registry/deployments/default/web")).toBe("deployments.apps");
    expect(resourceOfEtcdKey("/registry/services/specs/default/web")).toBe("services");
    expect(resourceOfEtcdKey("/registry/minions/node-1")).toBe("nodes");
    expect(resourceOfEtcdKey("/registry/ingress/default/web")).toBe("ingresses.networking.k8s.io");
    expect(resourceOfEtcdKey("/registry/example.com/widgets/default/w")).toBe("widgets.example.com");
    expect(resourceOfEtcdKey("/custom/secrets/default/db", "/custom")).toBe("secrets");
  });

  it("is undefined when the key names no known resource prefix", () => {
    expect(resourceOfEtcdKey("/registry/secret/default/db")).toBeUndefined();
    expect(resourceOfEtcdKey("/registry/ranges/serviceips")).toBeUndefined();
    expect(resourceOfEtcdKey("/registry/secrets")).toBeUndefined();
    expect(resourceOfEtcdKey("/elsewhere/secrets/default/db")).toBeUndefined();
    expect(resourceOfEtcdKey("/custom/secrets/default/db")).toBeUndefined();
  });
});

describe("checkStoredResource", () => {
  it("accepts built-in resources in their group and any custom resource", () => {
    for (const resource of ["secrets", "configmaps", "events", "deployments.apps", "cronjobs.batch", "ingresses.networking.k8s.io", "widgets.example.com"]) {
      expect(checkStoredResource(resource, config("secrets"))).toBeUndefined();
    }
  });

  it("refuses singulars, short names, wrong groups and made-up groups, suggesting the real name", () => {
    expect(checkStoredResource("secret", config("secrets"))).toEqual({ message: NOT_STORED, suggestion: "secrets" });
    expect(checkStoredResource("secrets.v1", config("secrets"))).toEqual({ message: NOT_STORED, suggestion: "secrets" });
    expect(checkStoredResource("service", config())).toEqual({ message: NOT_STORED, suggestion: "services" });
    expect(checkStoredResource("deploy", config())).toEqual({ message: NOT_STORED, suggestion: "deployments.apps" });
    expect(checkStoredResource("deployments", config())).toEqual({ message: NOT_STORED, suggestion: "deployments.apps" });
    expect(checkStoredResource("deployment.apps", config())).toEqual({ message: NOT_STORED, suggestion: "deployments.apps" });
    expect(checkStoredResource("configmapz", config())).toEqual({ message: NOT_STORED, suggestion: "configmaps" });
    expect(checkStoredResource("zzqq", config())).toEqual({ message: NOT_STORED });
  });

  it("accepts a name a rule of the config lists explicitly, and suggests it", () => {
    expect(checkStoredResource("serviceipallocations", config("serviceipallocations"))).toBeUndefined();
    expect(checkStoredResource("widgets.v1", config("widgets.v1"))).toBeUndefined();
    expect(checkStoredResource("widget.v1", config("widgets.v1"))).toEqual({ message: NOT_STORED, suggestion: "widgets.v1" });
    // A wildcard names no resource explicitly.
    expect(checkStoredResource("secret", config("*.", "*.*"))).toEqual({ message: NOT_STORED, suggestion: "secrets" });
  });
});
