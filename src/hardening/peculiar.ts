/**
 * @peculiar/x509 and the ASN.1 schema packages under it, loaded on first use: importing them
 * costs a few hundred milliseconds, which a scan whose input holds no certificate or CSR must
 * not pay (test/cli/startup-imports.test.ts). They resolve their parsers and keep their schema
 * metadata through the Reflect metadata API, which is loaded before them.
 */
import type * as AsnSchema from "@peculiar/asn1-schema";
import type * as AsnX509 from "@peculiar/asn1-x509";
import type * as X509 from "@peculiar/x509";
import { lazyModule } from "../lazy-module.js";

const reflectMetadata = lazyModule<unknown>("reflect-metadata");
const x509 = lazyModule<typeof X509>("@peculiar/x509");
const asn1Schema = lazyModule<typeof AsnSchema>("@peculiar/asn1-schema");
const asn1X509 = lazyModule<typeof AsnX509>("@peculiar/asn1-x509");

export function peculiarX509(): typeof X509 {
  reflectMetadata();
  return x509();
}

export function peculiarAsn1(): { schema: typeof AsnSchema; x509: typeof AsnX509 } {
  reflectMetadata();
  return { schema: asn1Schema(), x509: asn1X509() };
}
