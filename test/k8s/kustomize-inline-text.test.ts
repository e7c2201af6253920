import { describe, expect, it } from "vitest";
import { inlineTextLocator } from "../../src/k8s/kustomize-inline-text.js";

const PATCH = "kind: Deployment\nspec:\n  hostIPC: true\n";

/** The file, the header's position (1-based) and the value its YAML reads the block as. */
function locate(file: string, headerLine: number, headerColumn: number, value = PATCH) {
  return inlineTextLocator(file, { file: "k.yaml", line: headerLine, column: headerColumn }, value);
}

describe("fields inside text written as a literal block in a kustomization", () => {
  it("are found on the file's own lines, with each chomping indicator and a comment after the header", () => {
    for (const header of ["|", "|-", "|+", "| # inline"]) {
      const file = `patches:\n- target: {kind: Deployment}\n  patch: ${header}\n    kind: Deployment\n    spec:\n\n      hostIPC: true\n`;
      const at = locate(file, 3, 3, "kind: Deployment\nspec:\n\n  hostIPC: true\n");
      expect(at?.(["spec", "hostIPC"]), header).toEqual({ file: "k.yaml", line: 7, column: 7 });
      expect(at?.(["kind"]), header).toEqual({ file: "k.yaml", line: 4, column: 5 });
    }
  });

  it("are found in a sequence item written as a block (`- |-`), as inline transformers are", () => {
    const file = "transformers:\n- |-\n  kind: Deployment\n  spec:\n    hostIPC: true\n";
    expect(locate(file, 2, 1)?.(["spec", "hostIPC"])).toEqual({ file: "k.yaml", line: 5, column: 5 });
  });

  it("are not claimed where the text is not the file's lines: folded, quoted, an indentation indicator, or lines that read otherwise", () => {
    expect(locate("patch: >\n  kind: Deployment\n  spec:\n    hostIPC: true\n", 1, 1)).toBeUndefined();
    expect(locate('patch: "kind: Deployment\\nspec:\\n  hostIPC: true\\n"\n', 1, 1)).toBeUndefined();
    expect(locate("patch: |2\n    kind: Deployment\n    spec:\n      hostIPC: true\n", 1, 1)).toBeUndefined();
    expect(locate("patch: |\n  kind: Deployment\n  spec:\n    hostIPC: false\n", 1, 1)).toBeUndefined();
    expect(locate("patch: |\nkind: Deployment\n", 1, 1, "")).toBeUndefined();
  });
});
