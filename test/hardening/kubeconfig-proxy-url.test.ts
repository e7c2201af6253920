/**
 * A cluster's proxy-url: kubectl refuses one Go's net/url cannot parse or whose scheme is not
 * http, https or socks5 (clientcmd parseProxyURL, run by validateClusterInfo) as
 * kubeconfig/refused-entry; one it takes with credentials for an http:// or socks5:// proxy sends
 * them unencrypted (kubeconfig/proxy-credentials-in-clear). The proxy's password never shows.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { proxyUrlRefusal, readGoUrl } from "../../src/hardening/kubeconfig/proxy-url.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { scanInEveryFormat } from "../support/every-format.js";
import { kubeconfigText } from "../support/kubeconfig-text.js";

const PASSWORD = "marker-proxy-pw-3e9a";

const judge = (text: string) => checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile("config", text).objects }, {});
const withProxy = (proxyUrl: string) => kubeconfigText({ cluster: `proxy-url: ${JSON.stringify(proxyUrl)}`, user: "{token: abc}" });
const of = (rule: string, text: string) => judge(text).filter((f) => f.ruleId === rule);

describe("net/url Parse as clientcmd's parseProxyURL asks it", () => {
  it("takes what Go takes, with its lowercased scheme", () => {
    const parts = { hasUser: false, host: "", rawQuery: "", fragment: "" };
    expect(readGoUrl("HTTP://proxy.corp:3128")).toEqual({ ...parts, scheme: "http", hasUserinfo: false, host: "proxy.corp:3128" });
    expect(readGoUrl("socks5://u:p@[::1]:1080")).toEqual({ ...parts, scheme: "socks5", hasUserinfo: true, hasUser: true, host: "[::1]:1080" });
    // An empty userinfo is no credential, but still a User (url.URL User != nil).
    expect(readGoUrl("http://@proxy")).toEqual({ ...parts, scheme: "http", hasUserinfo: false, hasUser: true, host: "proxy" });
    // host:port reads as scheme "proxy.corp" with an opaque rest; a bare name as a path.
    expect(readGoUrl("proxy.corp:3128")).toEqual({ ...parts, scheme: "proxy.corp", hasUserinfo: false });
    expect(readGoUrl("proxy.corp")).toEqual({ ...parts, scheme: "", hasUserinfo: false });
    // RawQuery is all after the first ? (a lone trailing one gives none); the fragment as written.
    expect(readGoUrl("https://h/p?a=1?b#frag")).toEqual({ ...parts, scheme: "https", hasUserinfo: false, host: "h", rawQuery: "a=1?b", fragment: "frag" });
    expect(readGoUrl("https://h/p?")).toEqual({ ...parts, scheme: "https", hasUserinfo: false, host: "h" });
  });

  it("refuses what Go refuses", () => {
    for (const raw of ["10.0.0.1:3128", ":3128", "http://proxy:port", "http://pro xy:3128", "http://proxy/%zz", "http://u ser:p@proxy", "http://[::1:3128", "http://[10.0.0.1]:3128", "http://a[b]", "http://proxy\t:3128", "http://%41proxy", "http://proxy#%z"]) {
      expect("refused" in readGoUrl(raw), raw).toBe(true);
    }
  });

  it("words kubectl's two reasons without the value", () => {
    expect(proxyUrlRefusal("http://proxy:3128")).toBeUndefined();
    expect(proxyUrlRefusal("socks5://proxy:1080")).toBeUndefined();
    expect(proxyUrlRefusal("socks5h://proxy:1080")).toBe('unsupported scheme "socks5h", must be http, https, or socks5');
    expect(proxyUrlRefusal("proxy.corp")).toBe('unsupported scheme "", must be http, https, or socks5');
    expect(proxyUrlRefusal("http://proxy:31x8")).toBe("could not parse: Go's net/url finds a port that is not a number");
  });
});

describe("kubeconfig/refused-entry: proxy-url", () => {
  it("an unsupported scheme on the cluster in use: medium, at proxy-url, in kubectl's words", () => {
    const found = of("kubeconfig/refused-entry", withProxy("socks4://proxy.corp:1080"));
    expect(found.map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      ["medium", "clusters[0].cluster.proxy-url", `cluster prod's proxy-url is not one client-go can use: kubectl refuses it (invalid 'proxy-url' "socks4://proxy.corp:1080" for cluster "prod": unsupported scheme "socks4", must be http, https, or socks5)`],
    ]);
  });

  it("an unparsable one hides its userinfo, whatever follows the password", () => {
    const found = of("kubeconfig/refused-entry", withProxy(`http://admin:${PASSWORD}/x@proxy:3128`));
    expect(found.map((f) => f.fieldPath)).toEqual(["clusters[0].cluster.proxy-url"]);
    expect(found[0]?.message).toContain(`"http://***@proxy:3128"`);
    expect(found[0]?.message).not.toContain(PASSWORD);
  });

  it("on a cluster the current context does not use: low", () => {
    const text = withProxy("ftp://proxy:21").replace("contexts:\n- name: prod\n  context: {cluster: prod, user: admin}", "contexts:\n- name: prod\n  context: {cluster: other, user: admin}");
    const found = of("kubeconfig/refused-entry", text).filter((f) => f.fieldPath === "clusters[0].cluster.proxy-url");
    expect(found.map((f) => f.severity)).toEqual(["low"]);
  });

  it("nothing for a proxy kubectl takes, or none", () => {
    expect(of("kubeconfig/refused-entry", withProxy("https://proxy.corp:3128"))).toEqual([]);
    expect(of("kubeconfig/refused-entry", kubeconfigText({ cluster: 'proxy-url: ""', user: "{token: abc}" }))).toEqual([]);
  });
});

describe("kubeconfig/proxy-credentials-in-clear", () => {
  it("credentials for an http:// or socks5:// proxy: low, the URL shown without them", () => {
    const http = of("kubeconfig/proxy-credentials-in-clear", withProxy(`http://admin:${PASSWORD}@proxy.corp:3128`));
    expect(http.map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      ["low", "clusters[0].cluster.proxy-url", "cluster prod's proxy-url http://***@proxy.corp:3128 carries credentials that client-go sends to the http:// proxy unencrypted, as a Proxy-Authorization header before any TLS"],
    ]);
    expect(of("kubeconfig/proxy-credentials-in-clear", withProxy(`socks5://admin:${PASSWORD}@proxy.corp:1080`)).map((f) => f.message)).toEqual([expect.stringContaining("in the SOCKS5 handshake")]);
  });

  it("nothing for an https:// proxy, a proxy without credentials, or one kubectl refuses", () => {
    for (const url of [`https://admin:${PASSWORD}@proxy.corp:3128`, "http://proxy.corp:3128", `socks4://admin:${PASSWORD}@proxy.corp:1080`, `http://admin:${PASSWORD}@proxy:31x8`]) {
      expect(of("kubeconfig/proxy-credentials-in-clear", withProxy(url)), url).toEqual([]);
    }
  });
});

describe("palisade scan", () => {
  it("prints no proxy password in any format, refused or taken", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-proxy-url-"));
    for (const url of [`http://admin:${PASSWORD}@proxy.corp:3128`, `ftp://admin:${PASSWORD}@proxy.corp:21`, `http://admin:${PASSWORD}#frag@proxy:3128`]) {
      const file = join(dir, "config");
      writeFileSync(file, withProxy(url));
      const out = scanInEveryFormat(file);
      expect(out).toMatch(/kubeconfig\/(refused-entry|proxy-credentials-in-clear)/);
      expect(out).not.toContain(PASSWORD);
    }
  });
});
