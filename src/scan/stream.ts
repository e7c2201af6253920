/**
 * Load and judge in one pass. Families that stream judge each object while its tree is
 * fresh; the snapshot keeps only the objects the other families read. Holding every
 * object's tree until the end made loading alone cost about twice a parse: on a 2-core
 * VM that cost is first touches of fresh memory and young collections copying live
 * trees. The findings are exactly runScan's over the whole snapshot.
 */
import { loadSnapshot, type InputSummary, type LoadedSnapshot, type LoadOptions } from "../k8s/load.js";
import { objectRef, type K8sObject, type LoadedObject } from "../k8s/types.js";
import type { Finding } from "../findings/types.js";
import { FAMILIES } from "./families.js";
import { READS_EVERYTHING, type FamilyStream, type ScanFamily, type ScanOptions } from "./family.js";
import { assembleResult, familyFailure, guarded, type FamilyResult, type ScanResult } from "./run.js";

export interface StreamedScan {
  result: ScanResult;
  /** The objects some family still reads, not every object loaded (that is result.scanned). */
  snapshot: LoadedSnapshot;
}

/** One family's part in a streaming scan: its stream, or the test of what its check reads. */
type Participant = ({ stream: FamilyStream } | { reads: (object: K8sObject) => boolean }) & { family: ScanFamily; failed?: { error: unknown } };

export async function scanStreaming(load: LoadOptions, options: ScanOptions = {}, families: readonly ScanFamily[] = FAMILIES): Promise<StreamedScan> {
  let participants: Participant[] = [];
  const scanned: ScanResult["scanned"] = [];
  const snapshot = await loadSnapshot(load, {
    ahead: [...new Set(families.flatMap((family) => family.ahead ?? []))],
    begin(input: InputSummary) {
      participants = families.map((family) => participantOf(family, options, input));
    },
    object(loaded: LoadedObject) {
      scanned.push({ object: objectRef(loaded.object), file: loaded.source.file });
      let keep = false;
      for (const p of participants) {
        if (p.failed) continue;
        try {
          if ("stream" in p) p.stream.observe(loaded);
          else keep ||= p.reads(loaded.object);
        } catch (err) {
          // A failing family stops there, as it would in runScan; the others go on.
          p.failed = { error: err };
        }
      }
      return keep;
    },
  });
  const results = participants.map((p): FamilyResult => {
    if (p.failed) return { problem: familyFailure(p.family, p.failed.error) };
    return "stream" in p ? guarded(p.family, () => p.stream.finish()) : guarded(p.family, () => p.family.check(snapshot, options));
  });
  return { result: assembleResult(snapshot, families, results, scanned), snapshot };
}

function participantOf(family: ScanFamily, options: ScanOptions, input: InputSummary): Participant {
  try {
    if (family.stream) return { family, stream: family.stream(options, input) };
    return { family, reads: family.reads?.(input) ?? READS_EVERYTHING };
  } catch (err) {
    return { family, stream: FAILED, failed: { error: err } };
  }
}

const FAILED: FamilyStream = { observe() {}, finish: (): Finding[] => [] };
