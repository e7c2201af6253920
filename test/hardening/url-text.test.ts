/** URLs and command-line words as control-plane findings show them: no userinfo, whatever a password holds. */
import { describe, expect, it } from "vitest";
import { urlListWithoutUserinfo, withoutUserinfo, wordForMessage } from "../../src/hardening/url-text.js";

describe("urlListWithoutUserinfo", () => {
  it("hides each URL's userinfo and keeps every host", () => {
    expect(urlListWithoutUserinfo("https://a:pw@etcd-0:2379,https://etcd-1:2379,http://[fd00::1]:2379")).toBe("https://***@etcd-0:2379,https://etcd-1:2379,http://[fd00::1]:2379");
  });

  it("shows nothing of a password that holds a comma, a scheme-like x:// or both", () => {
    expect(urlListWithoutUserinfo("https://admin:pa:ss://word@etcd:2379")).toBe("https://***@etcd:2379");
    expect(urlListWithoutUserinfo("https://admin:p,w@etcd-0:2379,https://etcd-1:2379")).toBe("https://***@etcd-0:2379,https://etcd-1:2379");
    // The cut before "x://" falls inside the password: "https://admin:p" is no host and port, so all up to the last @ goes.
    const shown = urlListWithoutUserinfo("https://admin:p,x://secret@etcd-0:2379");
    expect(shown).toBe("https://***@etcd-0:2379");
    expect(shown).not.toMatch(/admin|secret/);
  });

  it("matches withoutUserinfo on a single URL", () => {
    for (const url of ["https://u:p@h:1/x", "h:2379", "http://h/p@q", "unix:///run/etcd.sock"]) expect(urlListWithoutUserinfo(url)).toBe(withoutUserinfo(url));
  });
});

describe("wordForMessage", () => {
  it("names a long word by its start and its length", () => {
    const shown = wordForMessage(`--x=${"a".repeat(60_000)}`);
    expect(shown.length).toBeLessThan(260);
    expect(shown).toMatch(/^--x=a+… \(60004 characters\)$/);
  });

  it("hides userinfo before it cuts", () => {
    expect(wordForMessage(`https://user:${"p".repeat(500)}@host:1`)).toBe("https://***@host:1");
  });
});
