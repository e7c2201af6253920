/**
 * A KubeletConfiguration field of the wrong type: `enabled: "false"` (text for a bool),
 * `readOnlyPort: "10255"` (text for an int32). The kubelet decodes its --config file with
 * DecodeKubeletConfiguration (pkg/kubelet/kubeletconfig/util/codec): strictly, then, only
 * for a strict-decoding error (an unknown or duplicate field), leniently. A type error is
 * neither: the JSON decoding fails, the kubelet cannot load the file and exits, and none of
 * the file's settings is in force. The first such value as Go meets it (the YAML turned into
 * JSON with sorted keys) is the one the kubelet names.
 *
 * The fields typed here are those the kubelet rules read and the common scalars beside them
 * (k8s.io/kubelet/config/v1beta1 types.go); durations, quantities and maps are not judged.
 */
import type { K8sObject } from "../k8s/types.js";
import { BOOL, goStruct, goTypeErrors, INT32, STRING, STRINGS, type DecodeTypeError } from "./kubeconfig/decode-types.js";

const AUTHENTICATION = goStruct("v1beta1.KubeletAuthentication", {
  x509: goStruct("v1beta1.KubeletX509Authentication", { clientCAFile: STRING }),
  webhook: goStruct("v1beta1.KubeletWebhookAuthentication", { enabled: BOOL }),
  anonymous: goStruct("v1beta1.KubeletAnonymousAuthentication", { enabled: BOOL }),
});
const AUTHORIZATION = goStruct("v1beta1.KubeletAuthorization", { mode: { kind: "string", goName: "v1beta1.KubeletAuthorizationMode" } });

const KUBELET_CONFIGURATION = goStruct("v1beta1.KubeletConfiguration", {
  address: STRING,
  authentication: AUTHENTICATION,
  authorization: AUTHORIZATION,
  cgroupDriver: STRING,
  clusterDNS: STRINGS,
  clusterDomain: STRING,
  enableDebuggingHandlers: BOOL,
  enableServer: BOOL,
  failSwapOn: BOOL,
  healthzBindAddress: STRING,
  healthzPort: INT32,
  makeIPTablesUtilChains: BOOL,
  maxPods: INT32,
  port: INT32,
  protectKernelDefaults: BOOL,
  readOnlyPort: INT32,
  resolvConf: STRING,
  rotateCertificates: BOOL,
  seccompDefault: BOOL,
  serverTLSBootstrap: BOOL,
  staticPodPath: STRING,
  tlsCertFile: STRING,
  tlsCipherSuites: STRINGS,
  tlsMinVersion: STRING,
  tlsPrivateKeyFile: STRING,
});

/** The values that make the kubelet refuse its configuration file, in the order Go meets them (the first is the one it names); none when the types are right. */
export function kubeletConfigTypeErrors(config: K8sObject): DecodeTypeError[] {
  return goTypeErrors(config, KUBELET_CONFIGURATION);
}
