import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { checkSecrets } from "../../src/secrets/check.js";
import { readPasswordOptions } from "../../src/secrets/password-options.js";

/** A pod whose one container runs `command` then `args`, each written as a YAML flow list of JSON strings. */
function pod(command: readonly string[], args: readonly string[] = []): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  containers:
  - name: c
    image: x@sha256:${"0".repeat(64)}
    command: ${JSON.stringify(command)}
    args: ${JSON.stringify(args)}
`;
}

function inline(yaml: string): Array<{ path: string | undefined; message: string }> {
  const parsed = parseYamlFile("p.yaml", yaml);
  expect(parsed.problems).toEqual([]);
  return parsed.objects
    .flatMap(checkSecrets)
    .filter((f) => f.ruleId === "secrets/inline-credential")
    .map((f) => ({ path: f.fieldPath, message: f.message }));
}

describe("passwords given by a program's own short option", () => {
  it("are found after their program, in argv and in a shell script, named by program and option", () => {
    expect(inline(pod(["mysql", "-uroot", "-pZZMYSQL01", "-h", "db"]))).toEqual([
      { path: "spec.containers[0].command[2]", message: 'container "c" command[2] passes mysql -p a value written in the manifest, where every process on the node can read it' },
    ]);
    expect(inline(pod(["sh", "-c", "mysqldump -h db -u root -pZZMYSQL11 app > /b/app.sql"])).map((f) => f.message)).toEqual([
      'container "c" command[2] passes mysqldump -p a value written in the manifest, where every process on the node can read it',
    ]);
    expect(inline(pod([], ["redis-cli", "-h", "redis", "-a", "ZZREDISCLI12", "ping"])).map((f) => f.path)).toEqual(["spec.containers[0].args[4]"]);
    expect(inline(pod([], ["sshpass", "-p", "ZZSSHPASS13", "ssh", "host"])).map((f) => f.path)).toEqual(["spec.containers[0].args[2]"]);
    // The program in command, its options in args: one argv.
    expect(inline(pod(["/usr/bin/mariadb"], ["-pZZMARIA14"])).map((f) => f.path)).toEqual(["spec.containers[0].args[0]"]);
    expect(inline(pod(["sh", "-c", "sshpass -pZZSSH15 ssh host; redis-cli -a ZZREDIS16 ping"])).map((f) => f.message)).toEqual([
      'container "c" command[2] passes sshpass -p, redis-cli -a a value written in the manifest, where every process on the node can read it',
    ]);
  });

  it("are not found where the option is another program's, the value a variable, or -p bare", () => {
    for (const [command, args] of [
      [["mkdir", "-p", "/data"], []],
      [["sh", "-c", "mkdir -p /data && ssh -p 22 host"], []],
      [["mysql", "-p", "appdb"], []],
      [["sh", "-c", 'mysql -u root -p"$MYSQL_PWD" -e "select 1"'], []],
      [["sh", "-c", "mysqldump -p${PW} db; mkdir -p /b"], []],
      [["mysql"], ["-p$(MYSQL_PASSWORD)"]],
      [["redis-cli", "-a", "$(REDIS_PASSWORD)", "ping"], []],
      // sshpass's options end at its command: ssh's -p is a port.
      [["sshpass", "-e", "ssh", "-p", "2222", "host"], []],
      [["sh", "-c", "sshpass -f /run/pw ssh -p 2222 host"], []],
      // A program named in one command of a script lends its options to no other.
      [["sh", "-c", "mysql -u root < x.sql; install -p -m 0644 a b"], []],
      // A line ends a command too: cp's -pR is no password.
      [["sh", "-c", "mysql -u root app < x.sql\ncp -pR /a /b"], []],
    ] as const) {
      expect(inline(pod(command, args)), JSON.stringify([command, args])).toEqual([]);
    }
  });

  it("property: the password is reported at its word and never printed", () => {
    // A mark that no message's words hold, so that finding it in one is finding the password.
    const password = fc.stringMatching(/^[A-Za-z0-9!%^*_+=.,:~-]{0,24}$/).map((p) => `QX${p}`);
    const program = fc.constantFrom("mysql", "mysqldump", "mysqladmin", "mariadb", "/usr/bin/mysql");
    fc.assert(
      fc.property(program, password, fc.boolean(), (name, secret, inScript) => {
        const found = inScript ? inline(pod(["sh", "-c", `${name} -h db -u root -p${secret} app`])) : inline(pod([name, "-h", "db", `-p${secret}`]));
        expect(found.map((f) => f.path)).toEqual([inScript ? "spec.containers[0].command[2]" : "spec.containers[0].command[3]"]);
        for (const f of found) expect(f.message).not.toContain(secret);
      }),
    );
  });

  it("read a MySQL client's bare --password as a prompt, its next word as the database", () => {
    // my_getopt's OPT_ARG: --password takes a value only after `=`, so `--password appdb` prompts and appdb is the database.
    for (const [command, args] of [
      [["mysql", "-u", "root", "--password", "appdb"], []],
      [["mysqldump"], ["--password", "appdb"]],
      [["sh", "-c", "mysql -h db --password appdb < x.sql"], []],
      [["sh", "-c", "mariadb --password2 appdb"], []],
    ] as const) {
      expect(inline(pod(command, args)), JSON.stringify([command, args])).toEqual([]);
    }
    // With `=` it is the password; another program's --password takes the next word.
    expect(inline(pod(["mysql", "--password=ZZMYSQLEQ21", "appdb"])).map((f) => f.path)).toEqual(["spec.containers[0].command[1]"]);
    expect(inline(pod(["sh", "-c", "mysql --password appdb; psql-tool --password ZZOTHER22 x"])).map((f) => f.message)).toEqual([
      'container "c" command[2] passes --password a value written in the manifest, where every process on the node can read it',
    ]);
    expect(inline(pod(["app", "--password", "ZZAPP23"])).map((f) => f.path)).toEqual(["spec.containers[0].command[2]"]);
    expect(readPasswordOptions(["mysql", "--password", "db", "-pX"], false)).toEqual({ uses: [{ index: 3, named: "mysql -p" }], valueless: new Set([1]) });
  });

  it("tell sshpass's own options from its command's", () => {
    expect(readPasswordOptions(["sshpass", "-p", "pw", "ssh", "-p", "22", "host"], false).uses).toEqual([{ index: 2, named: "sshpass -p" }]);
    expect(readPasswordOptions(["sshpass", "-P", "assword:", "-ppw", "ssh", "host"], false).uses).toEqual([{ index: 3, named: "sshpass -p" }]);
  });
});
