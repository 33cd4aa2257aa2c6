// A TCP proxy in front of a registry that injects faults per HTTP request:
// drop the connection part-way through a request body, or answer with a status (500, 429 + Retry-After).
// Every request is forced to `Connection: close`, so each TCP connection carries exactly one request.
import net from 'node:net';

export interface RequestInfo {
  method: string;
  path: string;
  /** What the proxy did: 'forward', 'drop' or the injected status. */
  outcome: string;
}

export interface Fault {
  match: (req: { method: string; path: string }) => boolean;
  /** 'drop': forward the head and `dropAfterBytes` of the body, then cut both connections. */
  action: 'drop' | { status: number; retryAfterSeconds?: number };
  /** How many matching requests get the fault (default 1). */
  times?: number;
  dropAfterBytes?: number;
}

export interface FaultProxy {
  host: string;
  url: string;
  requests: RequestInfo[];
  inject(fault: Fault): void;
  clear(): void;
  stop(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export function startFaultProxy(target: string): Promise<FaultProxy> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const faults: (Fault & { left: number })[] = [];
  const requests: RequestInfo[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(HEAD_END);
      if (end < 0) return;
      client.off('data', onData);
      client.pause();
      handle(client, buffered.subarray(0, end).toString('latin1'), buffered.subarray(end + 4));
    };
    client.on('data', onData);
  });

  function handle(client: net.Socket, head: string, bodyStart: Buffer): void {
    const lines = head.split('\r\n');
    const [method, path] = lines[0].split(' ');
    const contentLength = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
    const fault = faults.find((f) => f.left > 0 && f.match({ method, path }));
    if (fault) fault.left--;
    const rewritten = [...lines.filter((l) => !/^connection:/i.test(l)), 'Connection: close'].join('\r\n') + '\r\n\r\n';

    if (fault && fault.action !== 'drop') {
      const { status, retryAfterSeconds } = fault.action;
      requests.push({ method, path, outcome: String(status) });
      // Read the whole body first so the client sees the answer rather than a reset.
      let received = bodyStart.length;
      const respond = () => {
        const body = JSON.stringify({ errors: [{ code: status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN', message: `injected ${status}` }] });
        client.end(
          `HTTP/1.1 ${status} Injected\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            (retryAfterSeconds !== undefined ? `Retry-After: ${retryAfterSeconds}\r\n` : '') +
            `Connection: close\r\n\r\n${method === 'HEAD' ? '' : body}`,
        );
      };
      if (received >= contentLength) return respond();
      client.on('data', (c: Buffer) => {
        received += c.length;
        if (received >= contentLength) respond();
      });
      client.resume();
      return;
    }

    const upstream = net.connect(targetPort, targetHost);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.end();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());

    if (fault) {
      requests.push({ method, path, outcome: 'drop' });
      const limit = fault.dropAfterBytes ?? Math.floor(contentLength / 2);
      let sent = 0;
      const forward = (c: Buffer) => {
        const part = c.subarray(0, Math.max(0, limit - sent));
        sent += part.length;
        if (part.length) upstream.write(part);
        if (sent >= limit) {
          client.off('data', forward);
          // Give the registry a moment to see the partial body, then cut both sides.
          setTimeout(() => {
            upstream.destroy();
            client.destroy();
          }, 20);
        }
      };
      upstream.write(rewritten);
      forward(bodyStart);
      if (sent < limit) {
        client.on('data', forward);
        client.resume();
      }
      return;
    }

    requests.push({ method, path, outcome: 'forward' });
    upstream.write(rewritten);
    if (bodyStart.length) upstream.write(bodyStart);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        host: `127.0.0.1:${port}`,
        url: `oci://127.0.0.1:${port}`,
        requests,
        inject: (f) => faults.push({ ...f, left: f.times ?? 1 }),
        clear: () => {
          faults.length = 0;
          requests.length = 0;
        },
        stop: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
