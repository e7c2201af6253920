import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { palisade } from "../support/cli-in-process.js";

/** An indented JSON file with objects kept on one line, as people write them. */
const WEB_JSON = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {
            "name": "web",
            "image": "nginx:1.25",
            "resources": {"limits": {"cpu": "1"}}
          }
        ]
      }
    }
  }
}
`;

/** Only members are added: every line above is still there, byte for byte; the new ones take the file's two spaces. */
const WEB_JSON_FIXED = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {
            "name": "web",
            "image": "nginx:1.25",
            "resources": {"limits": {"cpu": "1"}},
            "securityContext": {
              "allowPrivilegeEscalation": false,
              "capabilities": {
                "drop": [
                  "ALL"
                ]
              }
            }
          }
        ],
        "securityContext": {
          "runAsNonRoot": true,
          "seccompProfile": {
            "type": "RuntimeDefault"
          }
        }
      }
    }
  }
}
`;

const AGENT_JSON = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "agent"}, "spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "agent:1"}]}}\n';

function report(file: string, object: string, container: string, containers: string, pod: string): string[] {
  return [
    `${file}:1: ${object}: fixed allowPrivilegeEscalation: container ${container}: allowPrivilegeEscalation: false (${containers}[0].securityContext.allowPrivilegeEscalation)`,
    `${file}:1: ${object}: fixed capabilities_restricted: capabilities.drop: [ALL] (${containers}[0].securityContext.capabilities.drop)`,
    `${file}:1: ${object}: fixed runAsNonRoot: pod: runAsNonRoot: true (the image must run as a non-root numeric UID) (${pod}.securityContext.runAsNonRoot)`,
    `${file}:1: ${object}: fixed seccompProfile_restricted: pod: seccompProfile: RuntimeDefault (${pod}.securityContext.seccompProfile)`,
  ];
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-fix-json-")), name);
  writeFileSync(file, text);
  return file;
}

describe("palisade fix on JSON files", () => {
  it("writes the fixed JSON to stdout with only the edits spliced in, and reports to stderr; exit 0", async () => {
    const file = tempFile("web.json", WEB_JSON);
    const r = await palisade(["fix", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(WEB_JSON_FIXED);
    expect(r.stderr).toBe([...report(file, "Deployment/shop/web", "web", "spec.template.spec.containers", "spec.template.spec"), `${file}:1: Deployment/shop/web: now passes restricted:latest`, ""].join("\n"));
    expect(readFileSync(file, "utf8")).toBe(WEB_JSON);
  });

  it("--in-place rewrites the file the same way, and a second run leaves it as it is", async () => {
    const file = tempFile("web.json", WEB_JSON);
    const first = await palisade(["fix", "--in-place", file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(WEB_JSON_FIXED);
    const second = await palisade(["fix", "--in-place", file]);
    expect(second.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(WEB_JSON_FIXED);
  });

  it("a file on one line stays on one line in its own separators; what is left for a person exits 1", async () => {
    const file = tempFile("agent.json", AGENT_JSON);
    const r = await palisade(["fix", "--in-place", file]);
    expect(r.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(
      '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "agent"}, "spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "agent:1", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}], "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}}}\n',
    );
    expect(r.stderr).toBe(
      [
        ...report(file, "Pod/agent", "a", "spec.containers", "spec"),
        `${file}:1: Pod/agent: NOT fixed hostNamespaces: host namespaces (hostNetwork=true) — sharing the node's network, PID or IPC namespace is part of what this workload does`,
        "",
      ].join("\n"),
    );
  });
});
