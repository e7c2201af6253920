/**
 * A read-only list+watch of one cluster-scoped core resource, as client-go's reflector does
 * it: list (paged), then watch from the list's resourceVersion; on 410 Gone (the version
 * was compacted away) list again; on any other failure back off (0.5 s doubling to 30 s,
 * with jitter) and retry. It never throws out of its loop: a webhook whose API server is
 * unreachable keeps serving with what it last knew, and `synced` says whether it ever knew.
 */
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { K8sObject } from "../../k8s/types.js";
import { isRecord } from "../../k8s/types.js";
import type { ApiConnection } from "./connection.js";

export interface WatchLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  debug(object: object, message: string): void;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface ListWatchOptions {
  connection: ApiConnection;
  /** Collection path, e.g. /api/v1/namespaces. */
  path: string;
  /** The kind of the items (lists leave it out of each item). */
  kind: string;
  /** The whole collection, after the first list and after every re-list. */
  onList(items: K8sObject[]): void;
  onEvent(type: WatchEventType, object: K8sObject): void;
  logger: WatchLogger;
  /** Server-side watch timeout; the watch is then resumed from the last version seen. */
  watchTimeoutSeconds?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  pageSize?: number;
}

/** The resourceVersion we watch from is too old: only a new list brings us up to date. */
class Gone extends Error {}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ListWatch {
  private stopped = false;
  private isSynced = false;
  private current: { destroy(): void } | undefined;
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  /** Lists made so far (tests and metrics: a 410 shows as a second list). */
  lists = 0;

  constructor(private readonly options: ListWatchOptions) {}

  get synced(): boolean {
    return this.isSynced;
  }

  start(): this {
    void this.loop();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.current?.destroy();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
  }

  private async loop(): Promise<void> {
    const { logger, path } = this.options;
    let version: string | undefined;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (version === undefined) {
          const listed = await this.list();
          this.lists++;
          this.options.onList(listed.items);
          version = listed.resourceVersion;
          if (!this.isSynced) logger.info({ resource: path, items: listed.items.length, from: this.options.connection.describe }, "cluster state synced from the API server");
          this.isSynced = true;
        }
        const started = Date.now();
        version = await this.watch(version);
        failures = 0;
        // A server that ends every watch at once must not be asked again in a tight loop.
        if (Date.now() - started < 1000) await this.sleep(this.options.initialBackoffMs ?? 500);
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Gone) {
          logger.info({ resource: path }, "watch expired (410 Gone); listing again");
          version = undefined;
          failures = 0;
          continue;
        }
        failures++;
        const delay = this.backoff(failures);
        logger.warn({ resource: path, err: describe(err), retryInMs: delay, synced: this.isSynced }, "cannot list/watch the API server; retrying");
        await this.sleep(delay);
      }
    }
  }

  private backoff(failures: number): number {
    const initial = this.options.initialBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** Math.min(failures - 1, 16));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      const timer = setTimeout(() => {
        this.sleeping = undefined;
        wake();
      }, ms);
      this.sleeping = { timer, wake };
    });
  }

  private async list(): Promise<{ items: K8sObject[]; resourceVersion: string }> {
    const items: K8sObject[] = [];
    let next: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: String(this.options.pageSize ?? 500) });
      if (next) query.set("continue", next);
      const res = await this.get(`${this.options.path}?${query}`);
      const body = await readJson(res);
      // An expired continue token is a 410 too: start the list over.
      if (res.statusCode === 410) throw new Gone();
      if (res.statusCode !== 200 || !isRecord(body) || !Array.isArray(body.items)) throw new ApiError(res.statusCode ?? 0, statusMessage(res, body));
      for (const item of body.items as unknown[]) if (isRecord(item)) items.push({ ...item, kind: this.options.kind, apiVersion: "v1" } as K8sObject);
      const metadata = isRecord(body.metadata) ? body.metadata : {};
      next = typeof metadata.continue === "string" && metadata.continue !== "" ? metadata.continue : undefined;
      if (!next) return { items, resourceVersion: typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : "" };
    }
  }

  /** Stream events until the server ends the watch; returns the last version seen. */
  private async watch(from: string): Promise<string> {
    const timeout = this.options.watchTimeoutSeconds ?? 300;
    const query = new URLSearchParams({ watch: "true", resourceVersion: from, allowWatchBookmarks: "true", timeoutSeconds: String(timeout) });
    const res = await this.get(`${this.options.path}?${query}`, (timeout + 30) * 1000);
    if (res.statusCode === 410) {
      res.resume();
      throw new Gone();
    }
    if (res.statusCode !== 200) throw new ApiError(res.statusCode ?? 0, statusMessage(res, await readJson(res)));
    let version = from;
    let buffered = "";
    res.setEncoding("utf8");
    for await (const chunk of res as AsyncIterable<string>) {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== "") version = this.event(line, version);
      }
    }
    if (this.stopped) throw new Error("stopped");
    return version;
  }

  private event(line: string, version: string): string {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new Error("the watch stream sent a line that is not JSON");
    }
    if (!isRecord(event) || !isRecord(event.object)) throw new Error("the watch stream sent an event without an object");
    const object = event.object;
    if (event.type === "ERROR") {
      if (object.code === 410) throw new Gone();
      throw new ApiError(typeof object.code === "number" ? object.code : 0, typeof object.message === "string" ? object.message : "watch error");
    }
    const next = isRecord(object.metadata) && typeof object.metadata.resourceVersion === "string" ? object.metadata.resourceVersion : version;
    if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
      this.options.onEvent(event.type, { ...object, kind: this.options.kind, apiVersion: "v1" } as K8sObject);
    } else if (event.type !== "BOOKMARK") this.options.logger.debug({ type: event.type }, "unknown watch event type ignored");
    return next;
  }

  private get(path: string, idleTimeoutMs = 30_000): Promise<IncomingMessage> {
    return apiGet(this.options.connection, path, idleTimeoutMs, (req) => (this.current = req));
  }
}

/** One GET to the API server; `onRequest` is given the request, so that its caller can abort it. */
function apiGet(connection: ApiConnection, path: string, idleTimeoutMs: number, onRequest?: (req: ClientRequest) => void): Promise<IncomingMessage> {
  const url = new URL(connection.server + path);
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "palisade-webhook" };
  const token = connection.token?.();
  if (token) headers.Authorization = `Bearer ${token}`;
  const options: RequestOptions = { method: "GET", headers, agent: false, ...(connection.caPem ? { ca: connection.caPem } : {}), ...(connection.certPem ? { cert: connection.certPem, key: connection.keyPem } : {}) };
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, resolve);
    // A silent connection (a dead API server, a dropped NAT entry) must not hold the caller forever.
    req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer from ${url.host} for ${idleTimeoutMs / 1000} s`)));
    req.on("error", reject);
    onRequest?.(req);
    req.end();
  });
}

/**
 * One object of a core resource by its path (e.g. /api/v1/namespaces/NAME), or undefined
 * when the API server says it does not exist (404). Any other answer is an error.
 */
export async function getObject(connection: ApiConnection, path: string, kind: string, idleTimeoutMs: number): Promise<K8sObject | undefined> {
  const res = await apiGet(connection, path, idleTimeoutMs);
  const body = await readJson(res);
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200 || !isRecord(body)) throw new ApiError(res.statusCode ?? 0, statusMessage(res, body));
  return { ...body, kind, apiVersion: "v1" } as K8sObject;
}

async function readJson(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function statusMessage(res: IncomingMessage, body: unknown): string {
  const message = isRecord(body) && typeof body.message === "string" ? body.message : "";
  const hint = res.statusCode === 401 ? " (the token was refused)" : res.statusCode === 403 ? " (grant get/list/watch on it to the webhook's service account; palisade install does)" : "";
  return `HTTP ${res.statusCode ?? "?"}${message ? `: ${message}` : ""}${hint}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
