/**
 * --image: the reference printed into the Deployment. One the kubelet cannot parse leaves
 * every webhook pod in InvalidImageName after `kubectl apply` (the API server does not
 * check the reference's grammar), and with failurePolicy Fail that blocks admission: so it
 * is refused here, with the same parser the image rules use.
 */
import { UserError } from "../errors.js";
import { parseImageReference } from "../supplychain/image-reference.js";

const HINT = "give [registry[:port]/]repository[:tag][@sha256:<64 hex digits>] with a lowercase repository path, e.g. ghcr.io/palisade-dev/palisade:0.1.0 or ghcr.io/palisade-dev/palisade@sha256:<digest>";

export function checkImageFlag(value: string): string {
  const parsed = parseImageReference(value);
  // The value is the operator's own flag, quoted so that spaces and empty strings show.
  if (!parsed.ok) throw new UserError(`--image ${JSON.stringify(value)}: not an image reference the kubelet can pull: ${parsed.reason}`, { hint: HINT });
  return value;
}
