/**
 * The --ca-bundle of `palisade install`: it becomes caBundle in every webhook configuration,
 * which the API server reads as PEM certificates. A key or anything else there is at best a
 * broken webhook and at worst a private key published cluster-wide, so only CERTIFICATE
 * blocks that parse as X.509 are accepted. Messages name the file and the block's line,
 * never its content.
 */
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { UserError } from "../errors.js";
import { describeDamage, pemBlocks } from "../hardening/pki/pem.js";

const HINT = "pass the PEM certificate(s) of the CA that signed the webhook's serving certificate (e.g. ca.crt), never a key; or leave --ca-bundle out and let cert-manager inject it";

/** The bundle as given, once every block in it is a certificate. */
export function checkCaBundle(file: string, text: string): string {
  const blocks = pemBlocks(text);
  const where = (line: number) => ({ position: { file, line, column: 1 }, hint: HINT });
  if (blocks.length === 0) throw new UserError(`--ca-bundle ${file}: no PEM block found (expected -----BEGIN CERTIFICATE-----)`, { hint: HINT });
  for (const block of blocks) {
    if (/PRIVATE KEY/.test(block.type)) throw new UserError(`--ca-bundle: the ${block.type} block is a private key; it would be published in the webhook configurations`, where(block.line));
    if (block.type !== "CERTIFICATE") throw new UserError(`--ca-bundle: a ${block.type} block where only CERTIFICATE blocks belong`, where(block.line));
    const damage = describeDamage(block);
    if (damage) throw new UserError(`--ca-bundle: ${damage}`, where(block.line));
    try {
      new X509Certificate(block.der!);
    } catch {
      throw new UserError("--ca-bundle: the CERTIFICATE block is not an X.509 certificate", where(block.line));
    }
  }
  // Text outside the blocks is ignored by the API server's PEM reader, but keep what is shipped to the blocks themselves.
  return blocks.map((block) => block.text).join("");
}
