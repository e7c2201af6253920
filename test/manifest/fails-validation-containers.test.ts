/**
 * manifest/fails-validation, containers: pkg/apis/core/validation validateContainers,
 * validateInitContainers, validateEphemeralContainers, validateContainerCommon and
 * validateContainerPorts, as ValidatePodSpec runs them for Pods and pod templates.
 */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { manifestFamily } from "../../src/manifest/family.js";

async function refusals(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/fails-validation");
}

const texts = async (yaml: string) => (await refusals(yaml)).map((f) => f.message.replace(/ \(the API server refuses the object: .*\)$/, ""));

const pod = (spec: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
${spec}
`;

const deployment = (spec: string, kind = "Deployment") => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${spec
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
`;

const LABEL_FORMAT = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("container names", () => {
  it("a container needs a name, and one that is a DNS-1123 label", async () => {
    expect(await texts(pod("  containers: [{image: nginx}, {name: Web_1, image: nginx}]"))).toEqual([
      "spec.containers[0].name: Required value",
      `spec.containers[1].name: Invalid value: "Web_1": ${LABEL_FORMAT}`,
    ]);
  });

  it("is found at the name's line in a Deployment's template", async () => {
    const [found] = await refusals(deployment("  containers:\n  - name: Web\n    image: nginx"));
    expect(found?.fieldPath).toBe("spec.template.spec.containers[0].name");
    expect(found?.position?.line).toBe(10);
  });

  it("names are unique among regular containers, init containers take the names of both, ephemeral ones of all", async () => {
    expect(
      await texts(
        pod(`  containers: [{name: app, image: a}, {name: app, image: a}]
  initContainers: [{name: app, image: a}, {name: setup, image: a}, {name: setup, image: a}]
  ephemeralContainers: [{name: setup, image: a}, {name: debug, image: a}, {name: debug, image: a}]`),
      ),
    ).toEqual([
      'spec.containers[1].name: Duplicate value: "app"',
      'spec.initContainers[0].name: Duplicate value: "app"',
      'spec.initContainers[2].name: Duplicate value: "setup"',
      'spec.ephemeralContainers[0].name: Duplicate value: "setup"',
      'spec.ephemeralContainers[2].name: Duplicate value: "debug"',
    ]);
  });

  it("two unnamed regular containers are also duplicates; two unnamed init containers are not (upstream does not count them)", async () => {
    expect(await texts(pod("  containers: [{image: a}, {image: a}]"))).toEqual(["spec.containers[0].name: Required value", "spec.containers[1].name: Required value", 'spec.containers[1].name: Duplicate value: ""']);
    expect(await texts(pod("  containers: [{name: app, image: a}]\n  initContainers: [{image: a}, {image: a}]"))).toEqual(["spec.initContainers[0].name: Required value", "spec.initContainers[1].name: Required value"]);
  });

  it("a pod needs a container at all", async () => {
    expect(await texts(pod("  containers: []"))).toEqual(["spec.containers: Required value"]);
    expect(await texts(deployment("  restartPolicy: Always"))).toEqual(["spec.template.spec.containers: Required value"]);
  });
});

describe("container images", () => {
  it("every container needs an image, in a template as in a pod (upstream makes no exception for templates)", async () => {
    expect(await texts(deployment("  containers: [{name: app}]\n  initContainers: [{name: setup, image: ''}]"))).toEqual([
      "spec.template.spec.containers[0].image: Required value",
      "spec.template.spec.initContainers[0].image: Required value",
    ]);
    expect(await texts(pod("  containers: [{name: app, image: null}]"))).toEqual(["spec.containers[0].image: Required value"]);
  });

  it("a CronJob's template is held to it too, under its jobTemplate", async () => {
    const cron = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: app}]
`;
    expect(await texts(cron)).toEqual(["spec.jobTemplate.spec.template.spec.containers[0].image: Required value"]);
  });

  it("a StatefulSet's pod spec is not validated by upstream (its Pods are), so nothing is found there", async () => {
    expect(await texts(deployment("  containers: [{name: Bad_Name}]", "StatefulSet"))).toEqual([]);
  });
});

describe("container ports", () => {
  it("port names are IANA service names, each rule it breaks reported as upstream lists them", async () => {
    expect(await texts(pod("  containers: [{name: app, image: a, ports: [{name: metrics-endpoint-http, containerPort: 9090}, {name: '8080', containerPort: 8080}, {name: -a--b, containerPort: 81}, {name: Http, containerPort: 82}]}]"))).toEqual([
      'spec.containers[0].ports[0].name: Invalid value: "metrics-endpoint-http": must be no more than 15 characters',
      'spec.containers[0].ports[1].name: Invalid value: "8080": must contain at least one letter (a-z)',
      'spec.containers[0].ports[2].name: Invalid value: "-a--b": must not contain consecutive hyphens',
      'spec.containers[0].ports[2].name: Invalid value: "-a--b": must not begin or end with a hyphen',
      'spec.containers[0].ports[3].name: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });

  it("port names are unique in a container, not across containers", async () => {
    expect(await texts(pod("  containers: [{name: a, image: a, ports: [{name: http, containerPort: 80}, {name: http, containerPort: 81}]}, {name: b, image: a, ports: [{name: http, containerPort: 80}]}]"))).toEqual([
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
    ]);
  });

  it("containerPort is required and in 1-65535, a set hostPort too; the protocol is TCP, UDP or SCTP (empty defaults to TCP)", async () => {
    expect(await texts(pod("  containers: [{name: a, image: a, ports: [{name: x}, {containerPort: 70000, hostPort: -1}, {containerPort: 53, protocol: udp}, {containerPort: 80, protocol: ''}]}]"))).toEqual([
      "spec.containers[0].ports[0].containerPort: Required value",
      "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      "spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive",
      'spec.containers[0].ports[2].protocol: Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });

  it("a value of another type is the decoder's refusal (manifest/wrong-type), not judged again here", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: pod("  containers: [{name: a, image: a, ports: [{containerPort: '8080'}]}]") });
    const rules = manifestFamily.check(snapshot, {}).map((f) => f.ruleId);
    expect(rules).toContain("manifest/wrong-type");
    expect(rules).not.toContain("manifest/fails-validation");
  });
});
