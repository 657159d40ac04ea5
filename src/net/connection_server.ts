/**
 * Sluice's HTTP listener: it accepts connections itself and hands each one
 * to Deno's HTTP engine, so it can do what `Deno.serve` cannot (measured on
 * Deno 2.9.6): keep listening when descriptors run out (`Deno.serve` ends its
 * server on the first `EMFILE` from accept), close connections that never
 * finish their request headers or sit idle between requests (`Deno.serve`
 * kept both open for 150 s and more), and cap connections per client address.
 *
 * @module
 */
import { isDescriptorExhaustion, reportDescriptorExhaustion } from "./descriptor_exhaustion.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";

/** Limits on client connections; a timeout of 0 is off. */
export interface ConnectionLimits {
  /** A new connection must have sent its first request's headers within this many ms. */
  headerTimeout: number;
  /** A connection with no request in progress is closed after this many ms. */
  keepAliveTimeout: number;
  /** Open connections allowed per client address (0: no cap); more are answered 429 and closed. */
  maxClientConnections: number;
}

/** Where to listen and how. */
export interface ConnectionServerOptions extends ConnectionLimits {
  hostname: string;
  port: number;
  /** PEM certificate and key: serve HTTPS, with HTTP/2 negotiated by ALPN. */
  tls?: { cert: string; key: string };
  /** Answers a request whose handler threw (as `Deno.serve`'s `onError`). */
  onError: (error: unknown) => Response | Promise<Response>;
}

/** The request handler, as for `Deno.serve`. */
export type ConnectionHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** Deno's HTTP engine on one connection (what `Deno.serve` runs per listener). */
interface ConnectionHttp {
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: ConnectionHandler,
  onError: (error: unknown) => Response | Promise<Response>,
  onListen: () => void,
) => ConnectionHttp;

/**
 * Deno 2.9.6's `serveHttpOnConnection`: the engine behind `Deno.serve` and
 * `node:http`, reached through `Deno[Deno.internal]` because no public API
 * serves an accepted connection. `tests/connection_server_test.ts` pins it.
 */
function serveOnConnection(): ServeOnConnection {
  const key = Reflect.get(Deno, "internal");
  const internal = typeof key === "symbol" ? Reflect.get(Deno, key) : undefined;
  const serve = internal?.serveHttpOnConnection;
  if (typeof serve !== "function") {
    throw new Error("This Deno cannot serve accepted connections; Sluice needs Deno 2.9.6");
  }
  return serve as ServeOnConnection;
}

/** The unsolicited answer to a connection over the per-client cap (plain HTTP only). */
const REFUSAL = new TextEncoder().encode(
  "HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain; charset=utf-8\r\n" +
    "retry-after: 5\r\nconnection: close\r\ncontent-length: 38\r\n\r\n" +
    "Too many connections from this client\n",
);

/**
 * Deno's engine on one connection closes an upgraded connection as soon as
 * the HTTP exchange ends (measured on 2.9.6: the WebSocket gets close code
 * 1001 right after opening), so upgrades are refused plainly instead.
 */
function upgradeRefused(): Response {
  return new Response(
    "WebSocket is off while Sluice guards connections (--header-timeout, " +
      "--keepalive-timeout, --max-client-connections)\n",
    { status: 501, headers: { "content-type": "text/plain; charset=utf-8" } },
  );
}

/** How long a refused connection may take to read its 429 before it is closed. */
const REFUSAL_LINGER_MS = 1000;

/** Longest pause before accept is retried after descriptors ran out. */
const MAX_ACCEPT_BACKOFF_MS = 1000;

/** One accepted connection. */
class Connection {
  readonly client: string;
  readonly controller = new AbortController();
  http: ConnectionHttp | null = null;
  /** Requests whose response is not yet delivered. */
  active = 0;
  /** Whether a request arrived: the header timeout no longer applies, the keep-alive one does. */
  served = false;
  idleSince = performance.now();

  constructor(client: string) {
    this.client = client;
  }
}

/**
 * A listening HTTP(S) server built from `Deno.listen` and Deno's engine per
 * connection. Shaped like `Deno.HttpServer`: `addr`, `finished`, `shutdown()`.
 *
 * @example
 * ```ts
 * const server = new ConnectionServer({
 *   hostname: "127.0.0.1", port: 0, headerTimeout: 30_000, keepAliveTimeout: 60_000,
 *   maxClientConnections: 256, onError: () => new Response(null, { status: 500 }),
 * }, () => new Response("hello"));
 * await server.shutdown();
 * ```
 */
export class ConnectionServer {
  /** The address the listener is bound to. */
  readonly addr: Deno.NetAddr;
  /** Resolves once `shutdown()` has closed the listener and every connection finished. */
  readonly finished: Promise<void>;

  readonly #options: ConnectionServerOptions;
  readonly #handler: ConnectionHandler;
  readonly #serve: ServeOnConnection;
  readonly #listener: Deno.Listener;
  readonly #connections = new Set<Connection>();
  readonly #byClient = new Map<string, number>();
  readonly #sweep: ReturnType<typeof setInterval>;
  readonly #acceptLog = new RateLimitedLog((line) => console.error(line));
  #closing = false;
  /** Wakes an accept loop waiting for descriptors (a connection closed, or shutdown). */
  #freed: (() => void) | null = null;

  /** Binds at once: throws `Deno.errors.AddrInUse` when the port is taken. */
  constructor(options: ConnectionServerOptions, handler: ConnectionHandler) {
    this.#options = options;
    this.#handler = handler;
    this.#serve = serveOnConnection();
    const { hostname, port, tls } = options;
    this.#listener = tls
      ? Deno.listenTls({ hostname, port, ...tls, alpnProtocols: ["h2", "http/1.1"] })
      : Deno.listen({ hostname, port });
    this.addr = this.#listener.addr as Deno.NetAddr;
    const timeouts = [options.headerTimeout, options.keepAliveTimeout].filter((t) => t > 0);
    // Closes idle connections within a quarter of the shortest timeout (at most 1 s late).
    const every = Math.max(25, Math.min(1000, ...timeouts.map((t) => t / 4)));
    this.#sweep = setInterval(() => this.#closeIdle(), every);
    this.finished = this.#acceptLoop();
  }

  /** Open connections right now (refused ones excluded). */
  get connections(): number {
    return this.#connections.size;
  }

  /**
   * Stops accepting, lets requests in progress finish (as
   * `Deno.HttpServer.shutdown`), closes idle connections, and resolves when
   * all are closed.
   */
  async shutdown(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      clearInterval(this.#sweep);
      try {
        this.#listener.close();
      } catch {
        // Already closed.
      }
      this.#freed?.();
    }
    // A connection that fails while closing (a reset) is closed all the same.
    await Promise.all([...this.#connections].map((c) => c.http?.shutdown().catch(() => {})));
    await this.finished;
  }

  async #acceptLoop(): Promise<void> {
    let backoff = 0;
    while (!this.#closing) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
        backoff = 0;
      } catch (error) {
        if (this.#closing) break;
        if (isDescriptorExhaustion(error)) {
          reportDescriptorExhaustion("accepting a connection");
        } else {
          this.#acceptLog.write(`Accepting a connection failed: ${(error as Error).message}`);
        }
        // Wait for a connection to close (descriptors freed) or for a backoff,
        // which also covers descriptors that files and watchers give back.
        backoff = Math.min(MAX_ACCEPT_BACKOFF_MS, backoff === 0 ? 10 : backoff * 2);
        await this.#waitForFreedDescriptors(backoff);
        continue;
      }
      this.#admit(conn);
    }
    await Promise.all([...this.#connections].map((c) => c.http?.finished.catch(() => {})));
  }

  #waitForFreedDescriptors(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#freed = () => {
        this.#freed = null;
        done();
      };
    });
  }

  #admit(conn: Deno.Conn): void {
    const client = (conn.remoteAddr as Deno.NetAddr).hostname ?? "unknown";
    const open = this.#byClient.get(client) ?? 0;
    const cap = this.#options.maxClientConnections;
    if (cap > 0 && open >= cap) {
      this.#refuse(conn, client);
      return;
    }
    this.#byClient.set(client, open + 1);
    const connection = new Connection(client);
    this.#connections.add(connection);
    const release = () => {
      if (--connection.active === 0) connection.idleSince = performance.now();
    };
    const handler: ConnectionHandler = (request, info) => {
      connection.active++;
      connection.served = true;
      info.completed.then(release, release);
      if (request.headers.has("upgrade")) return upgradeRefused();
      return this.#handler(request, info);
    };
    try {
      connection.http = this.#serve(
        conn,
        connection.controller.signal,
        handler,
        this.#options.onError,
        () => {},
      );
    } catch (error) {
      conn.close();
      this.#forget(connection);
      this.#acceptLog.write(`Serving a connection failed: ${(error as Error).message}`);
      return;
    }
    // A reset or a failed TLS handshake ends one connection; nothing to report.
    connection.http.finished.catch(() => {}).finally(() => this.#forget(connection));
  }

  #forget(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    const left = (this.#byClient.get(connection.client) ?? 1) - 1;
    if (left > 0) this.#byClient.set(connection.client, left);
    else this.#byClient.delete(connection.client);
    this.#freed?.();
  }

  /**
   * Over the cap: a plain-HTTP client reads a 429 (sent before its request,
   * as servers do for 408 and 503), then the connection closes; TLS ones are
   * closed without an answer (a handshake per refusal would cost more).
   */
  #refuse(conn: Deno.Conn, client: string): void {
    this.#acceptLog.write(
      `Refused a connection from ${client}: it has ${this.#options.maxClientConnections} open ` +
        "(--max-client-connections)",
    );
    if (this.#options.tls) {
      conn.close();
      return;
    }
    const linger = setTimeout(() => conn.close(), REFUSAL_LINGER_MS);
    (async () => {
      try {
        await conn.write(REFUSAL);
        // Half-close, then let the client read before the socket goes:
        // closing with its request unread would reset the connection.
        await conn.closeWrite();
        const sink = new Uint8Array(1024);
        while (await conn.read(sink) !== null) { /* discard */ }
      } catch {
        // The client left first.
      }
      clearTimeout(linger);
      try {
        conn.close();
      } catch {
        // Closed by the linger timer.
      }
    })();
  }

  #closeIdle(): void {
    const now = performance.now();
    const { headerTimeout, keepAliveTimeout } = this.#options;
    for (const connection of this.#connections) {
      if (connection.active > 0) continue;
      const limit = connection.served ? keepAliveTimeout : headerTimeout;
      if (limit > 0 && now - connection.idleSince >= limit) connection.controller.abort();
    }
  }
}
