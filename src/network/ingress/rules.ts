/** The rule records of the `ingress` family (networking.k8s.io/v1 Ingress). */
import type { Rule } from "../../findings/types.js";

const INGRESS_DOCS = "https://kubernetes.io/docs/concepts/services-networking/ingress/";
const NGINX_ANNOTATIONS = "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/";

export const INGRESS_RULES: readonly Rule[] = [
  {
    id: "ingress/nginx-snippet",
    title: "Ingress that injects raw NGINX configuration into ingress-nginx",
    family: "ingress",
    pillar: "network",
    severity: "high",
    docs: {
      description:
        "An Ingress for ingress-nginx with an annotation ingress-nginx rates Critical in its annotation risk table: configuration-snippet, server-snippet, auth-snippet, stream-snippet or modsecurity-snippet. Their text is copied into the controller's nginx.conf without validation, so whoever may create an Ingress in this namespace configures the proxy that serves every tenant: read every Secret the controller's service account can read (CVE-2021-25742), serve other hosts' traffic, or turn off their authentication. Since v1.9 ingress-nginx ignores snippets unless `allow-snippet-annotations` is true, and since v1.12 refuses annotations above `annotations-risk-level` (default High); a manifest that needs one only works where that protection was turned off for the whole controller. The finding never prints the annotation's text (snippets often hold credentials); it gives its length.",
      remediation:
        "Replace the snippet with the annotation or ConfigMap option that does the same with validation (rewrite-target, custom-headers, auth-url, ...), or move the configuration to the controller's ConfigMap, which only its administrators change; keep allow-snippet-annotations false and annotations-risk-level at High or lower.",
      helpUri: `${NGINX_ANNOTATIONS}#configuration-snippet`,
    },
  },
  {
    id: "ingress/plain-http",
    title: "Ingress host served over plain HTTP",
    family: "ingress",
    pillar: "network",
    severity: "medium",
    docs: {
      description:
        "A host of the Ingress (or its catch-all, a rule without host or a defaultBackend) that no spec.tls entry covers is served on port 80 only: passwords, tokens and session cookies cross the network in clear text. A tls host covers a rule host of the same name (case aside) and a wildcard `*.example.com` covers one label under example.com, as a certificate for it does; a tls entry without hosts is taken to cover every host (the API leaves its hosts to the controller, and ingress-nginx matches its certificate against each host, which Palisade cannot read). For ingress-nginx, a host with TLS is redirected from HTTP to HTTPS (its ssl-redirect defaults to true) unless `nginx.ingress.kubernetes.io/ssl-redirect: \"false\"`, which is reported too; `force-ssl-redirect: \"true\"` redirects a host without TLS in this Ingress (it is then served with a certificate of another Ingress for the host, or the controller's default one). Other controllers are judged by spec.tls alone.",
      remediation:
        "Add the host to a spec.tls entry with a secretName whose certificate names it (cert-manager can issue it), and keep ingress-nginx's ssl-redirect on; for a host that must answer on HTTP, redirect it to HTTPS.",
      helpUri: `${INGRESS_DOCS}#tls`,
    },
  },
  {
    id: "ingress/fails-validation",
    title: "Ingress that the API server would refuse",
    family: "ingress",
    pillar: "network",
    severity: "high",
    docs: {
      description:
        "An Ingress that breaks the API server's validation (ValidateIngressCreate in pkg/apis/networking/validation): a path without pathType, a Prefix or Exact path that is not absolute or holds '//', '/./', '/../' or an encoded slash, a backend with both or neither of service and resource, a service port with both or neither of name and number, a host or tls host that is no DNS subdomain (a wildcard only as a leading `*.`) or is an IP address, a tls secretName or ingressClassName that is no DNS subdomain, neither rules nor defaultBackend, or a kubernetes.io/ingress.class annotation that differs from ingressClassName. `kubectl apply` fails, so the routes (and the TLS) it describes do not exist. Fields of the wrong type are manifest/wrong-type's and manifest/string-expected's to report.",
      remediation: "Fix the field named in the finding; `kubectl apply --dry-run=server` shows the API server's own error.",
      helpUri: `${INGRESS_DOCS}#the-ingress-resource`,
    },
  },
];

export const INGRESS_RULE = new Map(INGRESS_RULES.map((rule) => [rule.id, rule]));
