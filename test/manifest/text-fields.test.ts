import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { formatFieldPath, type K8sObject } from "../../src/k8s/types.js";
import { apiTypes } from "../../src/manifest/api-schema.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { quoteCorrections } from "../../src/manifest/fixes.js";
import { SEVERAL_FORMS } from "../../src/manifest/several-forms.js";
import { misTypedFields } from "../../src/manifest/string-fields.js";

function objectsOf(text: string) {
  return parseYamlFile("m.yaml", text).objects;
}

const misTyped = (object: K8sObject) => misTypedFields(object).map(({ path, value }) => [formatFieldPath(path), value]);

// YAML 1.1 (sigs.k8s.io/yaml) reads n, off and yes as booleans, 1234 as a number.
const POD_SPEC = `
      containers:
      - name: app
        image: x
        ports: [{name: y, containerPort: 80}]
        volumeMounts: [{name: n, mountPath: /data}]
        env: [{name: A, valueFrom: {secretKeyRef: {name: off, key: k}}}]
      volumes:
      - name: data
        emptyDir: {}
      - name: n
        emptyDir: {}
      imagePullSecrets: [{name: 1234}]
      tolerations: [{key: gpu, operator: Equal, value: yes}]
      nodeSelector: {disk: on}`;

describe("every text field of a built-in kind, not only container names (manifest/string-expected)", () => {
  it("finds a volume named n (read as false) like a container so named, and every other list item's name", () => {
    const [deployment] = objectsOf(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:${POD_SPEC}\n`);
    const pod = "spec.template.spec";
    expect(misTyped(deployment!.object)).toEqual([
      [`${pod}.containers[0].ports[0].name`, true],
      [`${pod}.containers[0].volumeMounts[0].name`, false],
      [`${pod}.containers[0].env[0].valueFrom.secretKeyRef.name`, false],
      [`${pod}.volumes[1].name`, false],
      [`${pod}.imagePullSecrets[0].name`, 1234],
      [`${pod}.tolerations[0].value`, true],
      [`${pod}.nodeSelector.disk`, true],
    ]);
    const findings = manifestFamily.check({ ...emptySnapshot(), objects: [deployment!] }, {});
    expect(findings.find((f) => f.fieldPath === `${pod}.volumes[1].name`)).toMatchObject({
      ruleId: "manifest/string-expected",
      position: { file: "m.yaml", line: 18, column: 9 },
      message: `${pod}.volumes[1].name is the boolean false (an unquoted no, off, n or false) where Kubernetes expects text (quote it): the API server refuses this object`,
    });
    // palisade fix quotes what it finds: the volume's name too.
    expect(quoteCorrections(misTypedFields(deployment!.object)).map((c) => (c.kind === "quote" ? formatFieldPath(c.path) : c.kind))).toContain(`${pod}.volumes[1].name`);
  });

  it("reads the pod template of a kind whose schema is not known (a removed apiVersion, a custom workload) as a Pod's", () => {
    const objects = objectsOf(
      ["extensions/v1beta1 Deployment", "argoproj.io/v1alpha1 Rollout", "batch/v1beta1 CronJob"]
        .map((at) => {
          const [apiVersion, kind] = at.split(" ");
          const spec = kind === "CronJob" ? `  jobTemplate:\n    spec:\n      template:\n        spec:${POD_SPEC.replace(/\n/g, "\n    ")}` : `  template:\n    spec:${POD_SPEC}`;
          return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: w, annotations: {build: 1}}\nspec:\n${spec}\n`;
        })
        .join("---\n"),
    );
    for (const { object } of objects) {
      const found = misTyped(object).map(([path]) => path);
      expect(found, object.apiVersion).toContain("metadata.annotations.build");
      expect(found.filter((path) => String(path).endsWith("volumes[1].name")), object.apiVersion).toHaveLength(1);
      expect(found, object.apiVersion).toHaveLength(8);
    }
  });

  it("leaves the fields of several forms alone: Quantities, IntOrStrings and raw JSON take numbers and more", () => {
    const objects = objectsOf(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  overhead: {cpu: 1}
  containers:
  - name: app
    image: x
    resources: {limits: {cpu: 1, memory: 134217728}, requests: {cpu: 0.5}}
    readinessProbe: {httpGet: {port: 8080}}
    livenessProbe: {tcpSocket: {port: 8080}}
    env: [{name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1}}}]
  volumes: [{name: tmp, emptyDir: {sizeLimit: 1}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: d}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {minAvailable: 1, selector: {matchLabels: {app: d}}}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
  maxReplicas: 3
  metrics: [{type: Pods, pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: 100}}}]
  behavior: {scaleUp: {tolerance: 0.1}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: 10, requests.cpu: 4}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, default: {cpu: 1}, max: {memory: 1073741824}}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ws.example.com}
spec:
  group: example.com
  names: {kind: W, plural: ws}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {n: {type: integer, default: 1, enum: [1, 2], example: 2}}}}
`);
    for (const { object } of objects) expect(misTypedFields(object), object.kind).toEqual([]);
  });

  it("lists only fields the API table has, each as a value of no declared type", () => {
    const types = apiTypes();
    const missing = [...SEVERAL_FORMS].filter((entry) => {
      const [model, field] = entry.split(".");
      const encoded = types[model!]?.[field!];
      return encoded === undefined || encoded.replace(/^(\[\]|\{\})+/, "") !== "";
    });
    expect(missing).toEqual([]);
  });
});
