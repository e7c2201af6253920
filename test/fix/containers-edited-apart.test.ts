import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { LATEST, type Level } from "../../src/podsecurity/levels.js";
import { INDENTED_STYLE, KUBECTL_STYLE, UNFIXABLE } from "./fixtures.js";

/**
 * A pod's containers are edited each on its own lines (yaml-item-editor.ts), so a pod of
 * thousands of containers is fixed in near-linear time. Editing them in the whole text, each
 * edit re-reading it, is the reference: the text and the report must be the same.
 */

const restricted = { level: "restricted" as Level, version: LATEST };

/** One container's lines at `dash`, in one of the shapes people and tools write. */
function containerLines(i: number, dash: number, shape: number): string[] {
  const pad = " ".repeat(dash);
  const inner = `${pad}  `;
  const lines = [`${pad}- name: c${i}`, `${inner}image: nginx:1.25`];
  if (shape % 2 === 0) lines.push(`${inner}ports:`, `${inner}- containerPort: ${8000 + i}`);
  const securityContexts = [
    [],
    [`${inner}securityContext:`, `${inner}  capabilities:`, `${inner}    add: [NET_ADMIN]   # why?`],
    [`${inner}securityContext:`, `${inner}  runAsUser: 1000`],
    [`${inner}securityContext: {}`],
    [`${inner}securityContext:`, `${inner}  capabilities:`, `${inner}    add:`, `${inner}    - NET_RAW`, `${inner}    - SYS_TIME  # added by hand`],
  ];
  lines.push(...(securityContexts[shape % securityContexts.length] ?? []));
  if (shape % 11 === 3) lines.push(`${inner}workingDir: |`, `${inner}  line one`, "", `${inner}  line two`);
  if (shape % 4 === 1) lines.push(`${inner}  # a comment deeper than the container's keys`);
  if (shape % 6 === 5) lines.push(`${pad}# a comment at the dash`);
  if (shape % 9 === 4) lines.push("");
  return lines;
}

/** A Pod of one container per shape; `indentSeq`: the dashes indented past `containers:`. */
function podText(shapes: readonly number[], indentSeq: boolean): string {
  return [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    "  name: many   # generated",
    "spec:",
    "  containers:",
    ...shapes.flatMap((shape, i) => containerLines(i, indentSeq ? 4 : 2, shape)),
    "  restartPolicy: Always",
    "",
  ].join("\n");
}

interface PodValue {
  spec: { securityContext?: unknown; containers: Array<Record<string, unknown>> };
}

describe("a pod's containers edited apart", () => {
  it("fixes a pod of 1,500 containers as each container is fixed alone", () => {
    const shapes = Array.from({ length: 1500 }, (_, i) => (i * 7) % 13);
    const text = podText(shapes, false);
    const fixed = fixManifestText(text, restricted);
    expect(fixed.errors).toEqual([]);
    expect(fixed.documents[0]?.plan.after).toEqual([]);
    const pod = parse(fixed.text) as PodValue;
    expect(pod.spec.containers).toHaveLength(1500);
    // Each container alone, in a pod of its own: the same container, the same pod fields.
    const alone = new Map<number, PodValue>();
    for (const shape of new Set(shapes)) alone.set(shape, parse(fixManifestText(podText([shape], false), restricted).text) as PodValue);
    shapes.forEach((shape, i) => {
      const single = alone.get(shape) as PodValue;
      expect({ ...pod.spec.containers[i], name: "c0", ports: undefined }).toEqual({ ...single.spec.containers[0], ports: undefined });
      expect(pod.spec.securityContext).toEqual(single.spec.securityContext);
    });
  });

  it("writes what editing the whole text writes, for pods of every shape", () => {
    const pods = fc.record({ shapes: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }), indentSeq: fc.boolean(), asDeployment: fc.boolean(), inList: fc.boolean() });
    fc.assert(
      fc.property(pods, ({ shapes, indentSeq, asDeployment, inList }) => {
        let text = podText(shapes, indentSeq);
        if (asDeployment) {
          const spec = text.slice(text.indexOf("spec:\n") + "spec:\n".length).replace(/^(?=.)/gm, "      ");
          text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n${spec}`;
        }
        if (inList) text = `apiVersion: v1\nkind: List\nitems:\n${text.replace(/^(?=.)/gm, "  ").replace(/^ {2}apiVersion/, "- apiVersion")}`;
        const apart = fixManifestText(text, restricted);
        const whole = fixManifestText(text, restricted, { wholeItems: true });
        expect(apart.errors).toEqual([]);
        expect(apart.changed).toBe(true);
        expect(apart.text).toBe(whole.text);
        expect(apart.documents).toEqual(whole.documents);
        expect(apart.corrections).toEqual(whole.corrections);
      }),
      { numRuns: 60 },
    );
  });

  it("writes what editing the whole text writes for the shared fixtures and hand-written oddities", () => {
    const odd = [
      // Flow containers, an anchor shared between containers, a merge: edited in the whole text.
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: x}, {name: b, image: y}]}\n",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - &c\n    name: a\n    image: x\n  - name: b\n    image: y\n    env: [*c]\n",
      // A container's dash on a line of its own, a comment on the dash line, no newline at the end.
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  -\n    name: a\n    image: x\n  - # the second\n    name: b\n    image: y\n  - name: c\n    image: z",
      // A misspelt field inside a container (a correction), and a quoted number.
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      runAsUSer: 1000\n    ports:\n    - containerPort: \"80\"\n",
    ];
    for (const text of [KUBECTL_STYLE, INDENTED_STYLE, UNFIXABLE, ...odd]) {
      const apart = fixManifestText(text, restricted);
      const whole = fixManifestText(text, restricted, { wholeItems: true });
      expect(apart.text).toBe(whole.text);
      expect(apart.documents).toEqual(whole.documents);
      expect(apart.corrections).toEqual(whole.corrections);
      expect(apart.errors).toEqual(whole.errors);
    }
  });
});
