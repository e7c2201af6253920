/**
 * The kubeconfig texts the kubeconfig rule tests judge: one cluster prod, one user admin, and one
 * context prod using both as the current context. Tests look a finding's line up in the text, so
 * each option adds, drops or moves whole lines and leaves the rest of the layout as it is.
 */
export interface KubeconfigParts {
  /** The value of cluster prod's server line, or null for no server line at all. */
  server?: string | null;
  /** Cluster prod's other fields, written unindented: each line goes under `cluster:` (an empty line stays empty). */
  cluster?: string;
  /** User admin as a flow mapping on its own `user:` line; {} when neither this nor userLines is given. */
  user?: string;
  /** User admin's fields as lines under `user:`, written unindented; takes the place of `user`. */
  userLines?: string;
  /** Entries written as given after admin's under users:, each line ending in a newline. */
  extraUsers?: string;
  /** Writes users: before contexts: rather than after current-context. */
  usersBeforeContexts?: boolean;
}

export const DEFAULT_KUBECONFIG_SERVER = "https://10.0.0.1:6443";

/** Lines under a key of a list entry's mapping: four spaces in, an empty line left without trailing blanks. */
function underEntryKey(text: string): string {
  return `${text
    .split("\n")
    .map((line) => (line === "" ? "" : `    ${line}`))
    .join("\n")}\n`;
}

export function kubeconfigText(parts: KubeconfigParts = {}): string {
  const server = parts.server === undefined ? DEFAULT_KUBECONFIG_SERVER : parts.server;
  const clusters = `clusters:\n- name: prod\n  cluster:\n${server === null ? "" : `    server: ${server}\n`}${parts.cluster === undefined ? "" : underEntryKey(parts.cluster)}`;
  const admin = parts.userLines === undefined ? `  user: ${parts.user ?? "{}"}\n` : `  user:\n${underEntryKey(parts.userLines)}`;
  const users = `users:\n- name: admin\n${admin}${parts.extraUsers ?? ""}`;
  const contexts = "contexts:\n- name: prod\n  context: {cluster: prod, user: admin}\ncurrent-context: prod\n";
  return `apiVersion: v1\nkind: Config\n${clusters}${parts.usersBeforeContexts === true ? users + contexts : contexts + users}`;
}
