// Runs inside a test network namespace (`ip netns exec NS node agent.mjs ...`), so it is plain
// JavaScript with no imports beyond Node's own: nothing is compiled or resolved in there.
//
//   listen '<{"addresses":[...],"tcpPorts":[...],"udpPorts":[...]}>'
//     Echo TCP and UDP on those ports, print "ready" once every socket is bound, and exit when
//     stdin closes (so a crashed test process leaves no listener behind).
//   probe '<{"timeoutMs":N,"probes":[{"from","to","protocol","port","sourcePort"?}]}>'
//     Run every probe at once, each from its sourcePort when given (the caller keeps them
//     apart); a failed one is retried once with 4x the timeout. Prints one JSON array:
//     {ok, error?} per probe, in order.
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";

function fail(message) {
  process.stderr.write(`agent: ${message}\n`);
  process.exit(2);
}

function parseArgument(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`argument is not JSON: ${error.message}`);
  }
}

// Node reports peer addresses in canonical form; the caller may not have written them that way.
function canonical(address) {
  return net.isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

function listenTcp(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on("error", () => socket.destroy());
      socket.on("data", (chunk) => socket.write(chunk));
      socket.on("end", () => socket.end());
    });
    server.once("error", (error) => reject(new Error(`tcp :${port}: ${error.message}`)));
    // One dual-stack socket takes every local address of both families.
    server.listen({ host: "::", port, ipv6Only: false }, () => resolve());
  });
}

// UDP is bound per address, not to the wildcard: a wildcard socket answers from whatever
// source the route picks, which on a host with several addresses is not the one the probe
// addressed, and the reply would then be a new flow to conntrack rather than the reply.
function listenUdp(address, port) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? "udp6" : "udp4");
    socket.on("message", (message, peer) => socket.send(message, peer.port, peer.address));
    socket.once("error", (error) => reject(new Error(`udp [${address}]:${port}: ${error.message}`)));
    socket.bind({ address, port }, () => {
      socket.removeAllListeners("error");
      socket.on("error", () => undefined);
      resolve();
    });
  });
}

async function listen(spec) {
  const { addresses, tcpPorts, udpPorts } = spec;
  try {
    await Promise.all([...tcpPorts.map(listenTcp), ...addresses.flatMap((address) => udpPorts.map((port) => listenUdp(address, port)))]);
  } catch (error) {
    fail(error.message);
  }
  process.stdout.write("ready\n");
  process.stdin.on("data", () => undefined);
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
}

function probeTcp({ from, to, port, sourcePort }, timeoutMs) {
  return new Promise((resolve) => {
    const nonce = randomBytes(8).toString("hex");
    let received = "";
    const socket = net.connect({ host: to, port, localAddress: from, ...(sourcePort === undefined ? {} : { localPort: sourcePort }) });
    const finish = (result) => {
      clearTimeout(timer);
      // A chosen source port is closed with a reset, so its 4-tuple is not left in TIME_WAIT
      // for a retry (or a later probe) to run into.
      if (sourcePort !== undefined && !socket.connecting && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, error: received ? "timeout after connect" : "timeout" }), timeoutMs);
    socket.on("connect", () => socket.write(nonce));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.length >= nonce.length) finish(received === nonce ? { ok: true } : { ok: false, error: "wrong echo" });
    });
    socket.on("error", (error) => finish({ ok: false, error: error.code ?? error.message }));
    socket.on("close", () => finish({ ok: false, error: "closed before echo" }));
  });
}

function probeUdp({ from, to, port, sourcePort }, timeoutMs) {
  return new Promise((resolve) => {
    const nonce = randomBytes(8);
    const peer = canonical(to);
    const socket = dgram.createSocket(net.isIPv6(to) ? "udp6" : "udp4");
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, error: "timeout" }), timeoutMs);
    // The reply must come from the address and port probed, not just carry the nonce.
    socket.on("message", (message, info) => {
      if (canonical(info.address) === peer && info.port === port && nonce.equals(message)) finish({ ok: true });
    });
    socket.on("error", (error) => finish({ ok: false, error: error.code ?? error.message }));
    socket.bind({ address: from, port: sourcePort ?? 0 }, () => socket.send(nonce, port, to));
  });
}

async function probeOnce(probe, timeoutMs) {
  return probe.protocol === "UDP" ? probeUdp(probe, timeoutMs) : probeTcp(probe, timeoutMs);
}

async function probe(spec) {
  const { probes, timeoutMs } = spec;
  const results = await Promise.all(
    probes.map(async (one) => {
      const first = await probeOnce(one, timeoutMs);
      if (first.ok) return first;
      const second = await probeOnce(one, timeoutMs * 4);
      return second.ok ? { ok: true, retried: first.error } : second;
    }),
  );
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

const [mode, argument] = process.argv.slice(2);
if (mode === "listen") await listen(parseArgument(argument));
else if (mode === "probe") await probe(parseArgument(argument));
else fail(`usage: agent.mjs listen|probe '<json>' (got ${JSON.stringify(mode)})`);
