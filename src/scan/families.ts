import { podSecurityFamily } from "../podsecurity/family.js";
import { dockerfileFamily } from "../supplychain/dockerfile/family.js";
import { imagesFamily } from "../supplychain/images/family.js";
import { secretsFamily } from "../secrets/family.js";
import { pspFamily } from "../psp/family.js";
import { encryptionFamily } from "../encryption/scan-family.js";
import { calicoFamily } from "../network/calico/family.js";
import { rbacFamily } from "../access/rbac/family.js";
import { netpolFamily } from "../network/family.js";
import { gatewayFamily } from "../network/gateway/family.js";
import { ingressFamily } from "../network/ingress/family.js";
import { quotaFamily } from "../access/quota/family.js";
import { controlPlaneFamily } from "../hardening/family.js";
import { manifestFamily } from "../manifest/family.js";
import { kubeconfigFamily } from "../hardening/kubeconfig/family.js";
import { csrFamily } from "../hardening/csr/family.js";
import { tenancyFamily } from "../tenancy/scan/family.js";
import type { ScanFamily } from "./family.js";

/**
 * Every rule family `palisade scan` runs, in report order. A family adds itself here
 * with one line; its rules then appear in `palisade rules`, SARIF and JUnit.
 */
export const FAMILIES: ScanFamily[] = [podSecurityFamily, imagesFamily, secretsFamily, dockerfileFamily, pspFamily, encryptionFamily, calicoFamily, rbacFamily, netpolFamily, gatewayFamily, ingressFamily, quotaFamily, tenancyFamily, controlPlaneFamily, kubeconfigFamily, csrFamily, manifestFamily];
