// A TCP proxy in front of a registry that sees every HTTP request and injects faults per request:
// drop the connection part-way through a request body, or answer with a status (500, 429 + Retry-After).
// By default every request is forced to `Connection: close`, so each TCP connection carries exactly one request;
// with `keepAlive` connections are kept as the client asks, and `requests[].connection` tells which one carried each
// request (to count TCP connections). Clients never pipeline (Node does not), so requests on a connection follow
// one another's responses.
import net from 'node:net';

export interface RequestInfo {
  method: string;
  path: string;
  /** What the proxy did: 'forward', 'drop' or the injected status. */
  outcome: string;
  /** 1-based number of the client TCP connection that carried the request. */
  connection: number;
  /** The Authorization scheme sent ('Bearer', 'Basic'), if any. */
  auth?: string;
}

export interface Fault {
  match: (req: { method: string; path: string }) => boolean;
  /** 'drop': forward the head and `dropAfterBytes` of the body, then cut both connections (0: close at once, unanswered). */
  action: 'drop' | { status: number; retryAfterSeconds?: number; code?: string };
  /** How many matching requests get the fault (default 1). */
  times?: number;
  dropAfterBytes?: number;
}

export interface FaultProxy {
  host: string;
  url: string;
  requests: RequestInfo[];
  /** Client TCP connections accepted since the last clear(). */
  readonly connections: number;
  inject(fault: Fault): void;
  clear(): void;
  stop(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export function startFaultProxy(target: string, options: { keepAlive?: boolean } = {}): Promise<FaultProxy> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const faults: (Fault & { left: number })[] = [];
  const requests: RequestInfo[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const server = net.createServer((client) => {
    const connection = ++connections;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let upstream: net.Socket | undefined;
    let buffered = Buffer.alloc(0);
    /** Body bytes of the current request still to pass on (or to swallow, for an injected answer). */
    let bodyLeft = 0;
    let onBodyDone: (() => void) | undefined;
    let dropLeft: number | undefined;

    const openUpstream = (): net.Socket => {
      if (upstream && !upstream.destroyed) return upstream;
      const u = net.connect(targetPort, targetHost);
      sockets.add(u);
      u.on('close', () => {
        sockets.delete(u);
        client.end();
      });
      u.on('error', () => client.destroy());
      u.pipe(client, { end: false });
      upstream = u;
      return u;
    };
    client.on('close', () => upstream?.destroy());

    const cut = () =>
      // Give the registry a moment to see the partial body, then cut both sides.
      setTimeout(() => {
        upstream?.destroy();
        client.destroy();
      }, 20);

    const pump = () => {
      while (buffered.length) {
        if (bodyLeft > 0) {
          const part = buffered.subarray(0, bodyLeft);
          buffered = buffered.subarray(part.length);
          bodyLeft -= part.length;
          if (dropLeft !== undefined) {
            const sent = part.subarray(0, dropLeft);
            dropLeft -= sent.length;
            if (sent.length) upstream?.write(sent);
            if (dropLeft === 0) return cut();
          } else if (!onBodyDone) {
            upstream?.write(part);
          }
          if (bodyLeft === 0 && onBodyDone) {
            const done = onBodyDone;
            onBodyDone = undefined;
            done();
          }
          continue;
        }
        const end = buffered.indexOf(HEAD_END);
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        buffered = buffered.subarray(end + 4);
        handle(head);
        if (dropLeft === 0) return cut();
      }
    };

    const handle = (head: string) => {
      const lines = head.split('\r\n');
      const [method, path] = lines[0].split(' ');
      dropLeft = undefined;
      bodyLeft = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      const auth = /^authorization:\s*(\w+)/im.exec(head)?.[1];
      const fault = faults.find((f) => f.left > 0 && f.match({ method, path }));
      if (fault) fault.left--;
      const info = (outcome: string) => requests.push({ method, path, outcome, connection, ...(auth ? { auth } : {}) });
      if (fault && fault.action !== 'drop') {
        const { status, retryAfterSeconds, code } = fault.action;
        info(String(status));
        // Read the whole body first so the client sees the answer rather than a reset.
        const respond = () => {
          const body = JSON.stringify({ errors: [{ code: code ?? (status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN'), message: `injected ${status}` }] });
          const text =
            `HTTP/1.1 ${status} Injected\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            (retryAfterSeconds !== undefined ? `Retry-After: ${retryAfterSeconds}\r\n` : '') +
            `Connection: ${options.keepAlive ? 'keep-alive' : 'close'}\r\n\r\n${method === 'HEAD' ? '' : body}`;
          if (options.keepAlive) client.write(text);
          else client.end(text);
        };
        if (bodyLeft === 0) respond();
        else onBodyDone = respond;
        return;
      }
      if (fault && (fault.dropAfterBytes ?? Math.floor(bodyLeft / 2)) === 0) {
        // Nothing of the request reaches the registry: the connection just closes without an answer.
        info('drop');
        client.destroy();
        return;
      }
      const keep = options.keepAlive ? lines : [...lines.filter((l) => !/^connection:/i.test(l)), 'Connection: close'];
      const u = openUpstream();
      u.write(keep.join('\r\n') + '\r\n\r\n');
      if (fault) {
        info('drop');
        dropLeft = Math.min(bodyLeft, fault.dropAfterBytes ?? Math.floor(bodyLeft / 2));
      } else {
        info('forward');
      }
    };

    client.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      pump();
    });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        host: `127.0.0.1:${port}`,
        url: `oci://127.0.0.1:${port}`,
        requests,
        get connections() {
          return connections;
        },
        inject: (f) => faults.push({ ...f, left: f.times ?? 1 }),
        clear: () => {
          faults.length = 0;
          requests.length = 0;
          connections = 0;
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
