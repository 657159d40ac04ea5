import type { AuthUser, Config } from "./config/parse_config.ts";
import type { FileStore } from "./fs/file_store.ts";
import type { ChangeSource } from "./fs/change_feed.ts";
import type { ServerState } from "./server_state.ts";
import type { Metrics } from "./metrics.ts";
import type { StateStore } from "./state/state_store.ts";
import type { ShareScope } from "./shares/scope.ts";

/** Long-lived dependencies shared by every request. */
export interface AppDeps {
  config: Config;
  store: FileStore;
  state: ServerState;
  metrics: Metrics;
  /** Absolute path of the `static/` folder. */
  staticDir: string;
  /** The shared change feed of ROOT (`/_/events`); absent in bare test apps. */
  changeFeed?: ChangeSource;
  /**
   * Locks, properties, upload sessions and shares; `null` when Sluice runs
   * without state (read-only with no writable state folder). Features that
   * need it call `requireStore()`.
   */
  stateStore?: StateStore | null;
}

/** Per-request context handed to handlers. */
export interface RequestContext extends AppDeps {
  url: URL;
  /** The client's address, for logs and per-client limits. */
  remote: string;
  /** The authenticated user, when `--auth` is in use and credentials were sent. */
  user: AuthUser | null;
  /** Set for a request through a share link: the share and what it may reach. */
  scope?: ShareScope;
  /**
   * Settles when the response has been delivered (resolves) or could not be
   * (rejects): the end of a download, whatever the body is.
   */
  completed: Promise<void>;
}

/** An endpoint: answers a request or throws an `HttpError`. */
export type Handler = (request: Request, ctx: RequestContext) => Response | Promise<Response>;

/**
 * The per-request context. A class, so every request's context has the same
 * shape; the client address and `completed` come from Deno only when a
 * handler asks, since taking them costs on every request.
 */
export class Context implements RequestContext {
  readonly config: Config;
  readonly store: FileStore;
  readonly state: ServerState;
  readonly metrics: Metrics;
  readonly staticDir: string;
  readonly changeFeed: ChangeSource | undefined;
  readonly stateStore: StateStore | null;
  readonly url: URL;
  /** When handling began (`performance.now()`), for the access log. */
  readonly started: number = performance.now();
  user: AuthUser | null = null;
  scope: ShareScope | undefined = undefined;
  readonly #info: Deno.ServeHandlerInfo;
  #completed: Promise<void> | undefined;
  #remote: string | undefined;

  constructor(deps: AppDeps, url: URL, info: Deno.ServeHandlerInfo) {
    this.config = deps.config;
    this.store = deps.store;
    this.state = deps.state;
    this.metrics = deps.metrics;
    this.staticDir = deps.staticDir;
    this.changeFeed = deps.changeFeed;
    this.stateStore = deps.stateStore ?? null;
    this.url = url;
    this.#info = info;
  }

  /**
   * Read once and kept: after a WebSocket upgrade Deno no longer answers
   * `remoteAddr`, but the access log still needs it.
   */
  get remote(): string {
    if (this.#remote === undefined) {
      try {
        this.#remote = (this.#info.remoteAddr as Deno.NetAddr).hostname ?? "unknown";
      } catch {
        this.#remote = "unknown";
      }
    }
    return this.#remote;
  }

  /**
   * Always with a handler attached: it rejects when a response is
   * interrupted (an HTTP/2 client leaving an SSE stream), and unhandled,
   * that rejection would end the process.
   */
  get completed(): Promise<void> {
    if (this.#completed === undefined) {
      this.#completed = this.#info.completed;
      this.#completed.catch(() => {});
    }
    return this.#completed;
  }
}
