/**
 * A certificate's extensions as Go's crypto/x509 parser sees them before it interprets any
 * (parser.go parseCertificate): the OID, the critical flag and the DER value of each, in order,
 * and only for a version 3 certificate, since Go reads the extensions of no other version.
 * Read once per certificate with @peculiar/x509, which is loaded on first use: a scan whose
 * input holds no certificate never pays for it (test/cli/startup-imports.test.ts).
 */
import { peculiarX509 } from "../peculiar.js";

export interface RawExtension {
  /** The OID, dotted. */
  type: string;
  critical: boolean;
  value: ArrayBuffer;
}

/** What the extension readers need of a certificate: its DER. */
export interface DerCertificate {
  certificate: { raw: Buffer };
}

/** The X.509 version (1, 2 or 3): the TBSCertificate opens with [0] EXPLICIT version unless it is 1. */
export function certificateVersion(der: Buffer): number {
  const contentStart = (at: number): number => {
    const length = der[at + 1] ?? 0;
    return at + 2 + (length & 0x80 ? length & 0x7f : 0);
  };
  const version = contentStart(contentStart(0));
  if (der[version] !== 0xa0) return 1;
  const integer = contentStart(version);
  return der[integer] === 0x02 && der[integer + 1] === 1 ? (der[integer + 2] ?? 0) + 1 : 0;
}

const extensionsCache = new WeakMap<object, readonly RawExtension[] | undefined>();

/**
 * The extensions Go reads from the certificate, in order: none for a version 1 or 2 certificate.
 * Undefined when @peculiar/x509 cannot read the certificate (client-chain.ts refuses it then).
 */
export function extensionsOf(facts: DerCertificate): readonly RawExtension[] | undefined {
  if (extensionsCache.has(facts.certificate)) return extensionsCache.get(facts.certificate);
  let extensions: readonly RawExtension[] | undefined;
  try {
    if (certificateVersion(facts.certificate.raw) !== 3) extensions = [];
    else {
      const ParsedCertificate = peculiarX509().X509Certificate;
      extensions = new ParsedCertificate(facts.certificate.raw).extensions.map(({ type, critical, value }) => ({ type, critical, value }));
    }
  } catch {
    extensions = undefined;
  }
  extensionsCache.set(facts.certificate, extensions);
  return extensions;
}
