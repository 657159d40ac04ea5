/**
 * `Deno.serve`, kept listening. On Deno 2.9.6 one `EMFILE` from accept ends
 * the whole server (`finished` rejects with "Too many open files") and the
 * listener closes; a process that did not catch it exits. Measured: the
 * connections it had accepted keep being served after that, and a new
 * `Deno.serve` on the same port binds at once. So this class catches the
 * end, shuts the dead server down gracefully (requests in progress finish,
 * idle connections close, which gives descriptors back) and serves again on
 * the same address, retrying with a backoff until descriptors are free.
 *
 * @module
 */
import { isDescriptorExhaustion, reportDescriptorExhaustion } from "./descriptor_exhaustion.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";

/** Where to listen and how (the `Deno.serve` options Sluice uses). */
export interface SupervisedServerOptions {
  hostname: string;
  port: number;
  /** PEM certificate and key: serve HTTPS, with HTTP/2 negotiated by ALPN. */
  tls?: { cert: string; key: string };
  /** Answers a request whose handler threw. */
  onError: (error: unknown) => Response | Promise<Response>;
}

/** Longest pause between two attempts to serve again. */
const MAX_BACKOFF_MS = 1000;

/** A server that lived this long before it failed was healthy: the backoff starts over. */
const HEALTHY_MS = 5000;

/**
 * A `Deno.serve` server that serves again on the same address whenever its
 * accept loop fails. Shaped like `Deno.HttpServer`: `addr`, `finished`,
 * `shutdown()`.
 *
 * @example
 * ```ts
 * const server = new SupervisedServer(
 *   { hostname: "127.0.0.1", port: 0, onError: () => new Response(null, { status: 500 }) },
 *   () => new Response("hello"),
 * );
 * await server.shutdown();
 * ```
 */
export class SupervisedServer {
  /** The address the server is bound to (the same after every restart). */
  readonly addr: Deno.NetAddr;
  /** Resolves once `shutdown()` has finished every server this one started. */
  readonly finished: Promise<void>;

  readonly #options: SupervisedServerOptions;
  readonly #handler: Deno.ServeHandler<Deno.NetAddr>;
  readonly #servers = new Set<Deno.HttpServer<Deno.NetAddr>>();
  readonly #log = new RateLimitedLog((line) => console.error(line));
  readonly #done = Promise.withResolvers<void>();
  #current: Deno.HttpServer<Deno.NetAddr> | null;
  #closing = false;
  #backoff = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Times the accept loop failed and was replaced (for tests and metrics). */
  restarts = 0;

  /** Binds at once: throws `Deno.errors.AddrInUse` when the port is taken. */
  constructor(options: SupervisedServerOptions, handler: Deno.ServeHandler<Deno.NetAddr>) {
    this.#options = options;
    this.#handler = handler;
    this.#current = this.#serve(options.port);
    this.addr = this.#current.addr;
    this.finished = this.#done.promise;
  }

  /**
   * Stops listening, lets requests in progress finish (as
   * `Deno.HttpServer.shutdown`) on the current server and on any that
   * failed before, and resolves when all are done.
   */
  async shutdown(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#retry);
    await Promise.all([...this.#servers].map((server) => this.#retire(server)));
    this.#done.resolve();
  }

  #serve(port: number): Deno.HttpServer<Deno.NetAddr> {
    const { hostname, tls, onError } = this.#options;
    const server = Deno.serve(
      { hostname, port, ...tls, onListen: () => {}, onError },
      this.#handler,
    );
    const started = performance.now();
    this.#servers.add(server);
    server.finished.then(
      () => this.#servers.delete(server),
      (error) => this.#failed(server, error, performance.now() - started),
    );
    return server;
  }

  #failed(server: Deno.HttpServer<Deno.NetAddr>, error: unknown, livedMs: number): void {
    if (isDescriptorExhaustion(error)) reportDescriptorExhaustion("accepting a connection");
    else this.#log.write(`The HTTP server failed, serving again: ${(error as Error).message}`);
    // Its connections live on; a graceful shutdown finishes their requests
    // and closes the idle ones, which hands descriptors back.
    this.#retire(server);
    if (this.#closing || server !== this.#current) return;
    this.#current = null;
    this.restarts++;
    this.#backoff = livedMs >= HEALTHY_MS ? 0 : Math.min(MAX_BACKOFF_MS, this.#backoff * 2 || 10);
    this.#scheduleServe();
  }

  #scheduleServe(): void {
    this.#retry = setTimeout(() => {
      if (this.#closing) return;
      try {
        this.#current = this.#serve(this.addr.port);
      } catch (error) {
        // Still out of descriptors (socket() fails), or the port is briefly taken.
        if (isDescriptorExhaustion(error)) reportDescriptorExhaustion("listening again");
        else this.#log.write(`Cannot listen again yet: ${(error as Error).message}`);
        this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff * 2 || 10);
        this.#scheduleServe();
      }
    }, this.#backoff);
  }

  async #retire(server: Deno.HttpServer<Deno.NetAddr>): Promise<void> {
    try {
      await server.shutdown();
    } catch {
      // Already closed.
    }
    this.#servers.delete(server);
  }
}
