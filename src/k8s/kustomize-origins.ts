/**
 * Where a field of a kustomize-rendered object was written. kustomize's build annotations
 * (kustomize-build-metadata.ts) name the file each object came from and the transformers
 * that ran over it; this maps a rendered object's field to:
 * - the last transformer that set it to its rendered value (kustomize-transformer-origins.ts):
 *   a patch, `images:`, `replicas:`, `namespace:`, `namePrefix`/`nameSuffix`, `labels`/
 *   `commonLabels`, `commonAnnotations`, `replacements`, a `transformers:` configuration,
 *   whether written in an overlay at any depth or in a component;
 * - else the object's own file, where the field sits at the same path (list items matched
 *   by their `name`, as strategic merge matches containers), or, for a field the object
 *   lacks, its nearest parent there: where the user would add it; a generated ConfigMap or
 *   Secret's generator entry (kustomize-generator-origins.ts);
 * - else, when the rendered value is not the source's and nothing we can read sets it (a
 *   remote base's file, a transformer plugin), the rendered text: what `kubectl kustomize
 *   DIR` prints, line for line.
 * The build annotations are removed from the object before anything judges it.
 */
import { resolve } from "node:path";
import type { SourcePosition } from "../findings/types.js";
import { takeBuildAnnotations } from "./kustomize-build-metadata.js";
import { KustomizeFiles, kustomizationTree, type KustomizationTree } from "./kustomize-files.js";
import { isScalar, pathIn, type Claim, type Home } from "./kustomize-fields.js";
import { generatorHome } from "./kustomize-generator-origins.js";
import { TransformerConfigs, transformationsOf, type Transformation } from "./kustomize-transformer-origins.js";
import { valueAt, type FieldPath, type K8sObject, type LoadedObject, type ObjectSource } from "./types.js";

export interface KustomizeOrigins {
  /** The object with its build annotations removed, and a source that points into the files it came from. */
  map(loaded: LoadedObject): LoadedObject;
}

/**
 * `wrapper`: the directory of the wrapping kustomization, which the annotations' paths are
 * relative to; `root`: the directory rendered; `byDocument`: the annotations taken out of
 * each document of the rendered text (an object that still holds its own gives them itself).
 */
export function kustomizeOrigins(wrapper: string, root: string, byDocument: ReadonlyArray<Record<string, string> | undefined> = []): KustomizeOrigins {
  const files = new KustomizeFiles();
  const configs = new TransformerConfigs(files);
  let tree: KustomizationTree | undefined;
  const treeOf = (): KustomizationTree => (tree ??= kustomizationTree(root, files));
  const parsed = new Map<string, unknown>();
  return {
    map(loaded) {
      const annotations = takeBuildAnnotations(loaded.object, byDocument[loaded.source.documentIndex], parsed);
      if (!annotations) return loaded;
      const { origin } = annotations;
      const transformations = transformationsOf(annotations.transformations, wrapper);
      let home: Home | undefined;
      if (typeof origin.path === "string" && origin.repo === undefined) {
        const own = matching(files.objects(resolve(wrapper, origin.path)), loaded.object);
        home = own && new OwnHome(own, loaded.object);
      } else {
        home = generatorHome(origin, loaded.object, wrapper, files, treeOf);
      }
      if (!home && transformations.length === 0) return loaded;
      return { object: loaded.object, source: new MappedSource(loaded, home, transformations, configs) };
    },
  };
}

/** A file's objects of each kind, by name: read once per file. */
const byKind = new WeakMap<readonly LoadedObject[], Map<string | undefined, { list: LoadedObject[]; byName: Map<string, LoadedObject> }>>();

/**
 * The object of a file that the rendered object came from: the only one of its kind, else
 * the one whose name the rendered name contains (namePrefix and nameSuffix add to it), the
 * longest such name first. The rendered name's parts are looked up, longest first, rather
 * than every name of the file tried against it: a file of thousands of objects stays linear.
 */
function matching(objects: readonly LoadedObject[], rendered: K8sObject): LoadedObject | undefined {
  let kinds = byKind.get(objects);
  if (!kinds) {
    kinds = new Map();
    for (const loaded of objects) {
      let entry = kinds.get(loaded.object.kind);
      if (!entry) kinds.set(loaded.object.kind, (entry = { list: [], byName: new Map() }));
      entry.list.push(loaded);
      const name = loaded.object.metadata?.name;
      if (typeof name === "string" && !entry.byName.has(name)) entry.byName.set(name, loaded);
    }
    byKind.set(objects, kinds);
  }
  const sameKind = kinds.get(rendered.kind);
  if (!sameKind || sameKind.list.length <= 1) return sameKind?.list[0];
  const name = String(rendered.metadata?.name ?? "");
  for (let length = name.length; length > 0; length--) {
    for (let start = 0; start + length <= name.length; start++) {
      const found = sameKind.byName.get(name.slice(start, start + length));
      if (found) return found;
    }
  }
  return undefined;
}

/** A rendered object's fields in the files they were written in (see the file's comment). */
class MappedSource implements ObjectSource {
  private claims: Claim[] | undefined;

  constructor(
    private readonly rendered: LoadedObject,
    private readonly home: Home | undefined,
    private readonly transformations: readonly Transformation[],
    private readonly configs: TransformerConfigs,
  ) {}

  get file(): string {
    return this.home?.file ?? this.rendered.source.file;
  }

  get documentIndex(): number {
    return this.home?.documentIndex ?? this.rendered.source.documentIndex;
  }

  get position(): SourcePosition {
    return this.home?.position ?? this.rendered.source.position;
  }

  locate(path: FieldPath): SourcePosition {
    const object = this.rendered.object;
    const value = valueAt(object, path);
    // A transformer is asked about a value it may have set; a list or a map the object's own
    // file writes (a container, the object itself) is where the file writes it, whatever a
    // patch adds inside.
    if (value !== undefined && (isScalar(value) || !this.home?.writes(path))) {
      // Read on the first finding: most objects have none.
      const claims = (this.claims ??= this.configs.claims(this.transformations, object));
      if (claims.length > 0) {
        const query = { path, value, object };
        for (let i = claims.length - 1; i >= 0; i--) {
          const at = (claims[i] as Claim)(query);
          if (at) return at;
        }
      }
    }
    return this.home?.locate(path, value) ?? this.rendered.source.locate(path);
  }
}

/** An object read from a file of the user's. */
class OwnHome implements Home {
  constructor(
    private readonly own: LoadedObject,
    private readonly rendered: K8sObject,
  ) {}

  get file(): string {
    return this.own.source.file;
  }

  get documentIndex(): number {
    return this.own.source.documentIndex;
  }

  get position(): SourcePosition {
    return this.own.source.position;
  }

  writes(path: FieldPath): boolean {
    return pathIn(this.rendered, this.own.object, path).complete;
  }

  locate(path: FieldPath, value: unknown): SourcePosition | undefined {
    const inOwn = pathIn(this.rendered, this.own.object, path);
    if (!inOwn.complete) return value === undefined ? this.own.source.locate(inOwn.path) : undefined;
    const written = valueAt(this.own.object, inOwn.path);
    if (!isScalar(value) || written === value) return this.own.source.locate(inOwn.path);
    // A reference to an object kustomize renamed (namePrefix, nameSuffix, a generator's
    // hash) is written with the name the user gave it.
    const key = path[path.length - 1];
    if (typeof key === "string" && /name$/i.test(key) && typeof value === "string" && typeof written === "string" && written !== "" && value.includes(written)) return this.own.source.locate(inOwn.path);
    return undefined;
  }
}
