/**
 * Requests that the client ended, not the server: a body cut off because the peer went away
 * (499, nginx's "client closed request") or because the request timeout fired (408). These
 * are client events: logged without a stack below error level and counted under their own
 * code, so that a load balancer dropping connections or a slowloris peer never looks like a
 * 5xx of the webhook, and no answer is written to a connection that is already gone.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

/** Sockets that Node's request or headers timeout cut off, so that their request is counted as 408, not 499. */
const timedOut = new WeakSet<Duplex>();

/** A request body that will never arrive whole because the client (or its timeout) ended it. */
export class ClientGone extends Error {
  constructor(readonly code: 408 | 499) {
    super(code === 408 ? "request timed out before its body arrived" : "client closed the connection before its body arrived");
    this.name = "ClientGone";
  }
}

/** Why `req`'s body stopped: the only errors an IncomingMessage emits are its connection ending early. */
export function clientGone(req: IncomingMessage): ClientGone {
  return new ClientGone(timedOut.has(req.socket) ? 408 : 499);
}

const REQUEST_TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const BAD_REQUEST = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/**
 * The server's `clientError`: what Node answers by default (408 for ERR_HTTP_REQUEST_TIMEOUT,
 * 400 for a malformed request, _http_server.js socketOnError), but nothing to a peer that
 * already closed its side (HPE_INVALID_EOF_STATE: the request ended mid-way) or whose socket
 * is no longer writable.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  const timeout = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
  if (timeout) timedOut.add(socket);
  logger.debug({ err: err.message, code: err.code }, timeout ? "request timed out" : "client error");
  if (socket.writable && err.code !== "HPE_INVALID_EOF_STATE") socket.end(timeout ? REQUEST_TIMEOUT : BAD_REQUEST);
  else socket.destroy();
}
