/**
 * `scan -k` of a kustomization whose remote base or component cannot be fetched (no
 * network, no such repository), with the real kubectl: one clear error naming the entry,
 * where it is written (file:line of the kustomization, at any depth) and what to do; never
 * kustomize's nested message, nor a stack trace. A port nothing listens on stands for an
 * unreachable host, so the tests need no network and fail alike with one.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { hasKubectl } from "../support/kubectl.js";
import { palisade } from "../support/cli-in-process.js";
import { DEPLOYMENT, tree } from "./kustomize-support.js";

const REMOTE_FILE = "https://127.0.0.1:1/manifests/deploy.yaml";
const REMOTE_REPO = "https://127.0.0.1:1/org/repo//components/debug?ref=v1";

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

async function failure(dir: string): Promise<UserError> {
  const error: unknown = await loadSnapshot({ paths: [], kustomizeDirs: [dir] }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe.skipIf(!hasKubectl)("scan -k: a remote base that cannot be fetched", () => {
  const root = tree({
    "base/kustomization.yaml": "resources: [deploy.yaml]\n",
    "base/deploy.yaml": DEPLOYMENT,
    "app/kustomization.yaml": "resources:\n- ../mid\n",
    "mid/kustomization.yaml": `namespace: shop\nresources:\n- ../base\n- ${REMOTE_FILE}\n`,
    "with-component/kustomization.yaml": `resources:\n- ../base\ncomponents:\n- ${REMOTE_REPO}\n`,
    "broken/kustomization.yaml": "commonLabels:\n  team: a\nresources:\n- missing.yaml\n",
  });

  it("names the remote base, the kustomization line that names it, why and what to do", async () => {
    const error = await failure(join(root, "app"));
    // Why, in git's or Go's words (kustomize tries both): the port refused the connection.
    expect(error.message).toMatch(new RegExp(`^-k ${escape(join(root, "app"))}: kustomize could not fetch the remote base ${escape(REMOTE_FILE)}: .*connect`, "i"));
    expect(error.position).toEqual({ file: join(root, "mid/kustomization.yaml"), line: 4, column: 3 });
    expect(error.hint).toMatch(/clone it .* name its local directory in resources instead/);
    expect(error.hint).toContain(`kubectl kustomize ${join(root, "app")} > rendered.yaml`);
  });

  it("names a remote component the same way", async () => {
    const error = await failure(join(root, "with-component"));
    expect(error.message).toMatch(/could not fetch the remote component https:\/\/127\.0\.0\.1:1\/org\/repo\/\/components\/debug\?ref=v1: .+/);
    expect(error.position).toEqual({ file: join(root, "with-component/kustomization.yaml"), line: 4, column: 3 });
    expect(error.hint).toContain("in components instead");
  });

  it("prints one line and its hint, with no stack trace", async () => {
    const { code, stdout, stderr } = await palisade(["scan", "-k", join(root, "app")]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toMatch(new RegExp(`^palisade: ${escape(join(root, "mid/kustomization.yaml"))}:4:3: -k .*: kustomize could not fetch the remote base ${escape(REMOTE_FILE)}: `));
    expect(stderr.split("\n")[1]).toMatch(/^ {2}hint: /);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("reports another failure as kustomize's own error, not its deprecation warnings", async () => {
    const error = await failure(join(root, "broken"));
    expect(error.message).toMatch(/kustomize could not render .*missing\.yaml/);
    expect(error.message).not.toMatch(/deprecated|remote/);
  });
});
