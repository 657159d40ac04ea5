import type { AuthUser, Config } from "./config/parse_config.ts";
import type { FileStore } from "./fs/file_store.ts";
import type { ChangeFeed } from "./fs/change_feed.ts";
import type { ServerState } from "./server_state.ts";
import type { Metrics } from "./metrics.ts";

/** Long-lived dependencies shared by every request. */
export interface AppDeps {
  config: Config;
  store: FileStore;
  state: ServerState;
  metrics: Metrics;
  /** Absolute path of the `static/` folder. */
  staticDir: string;
  /** The shared change feed of ROOT (`/_/events`); absent in bare test apps. */
  changeFeed?: ChangeFeed;
}

/** Per-request context handed to handlers. */
export interface RequestContext extends AppDeps {
  url: URL;
  /** The client's address, for logs and per-client limits. */
  remote: string;
  /** The authenticated user, when `--auth` is in use and credentials were sent. */
  user: AuthUser | null;
  /**
   * Settles when the response has been delivered (resolves) or could not be
   * (rejects): the end of a download, whatever the body is.
   */
  completed: Promise<void>;
}

/** An endpoint: answers a request or throws an `HttpError`. */
export type Handler = (request: Request, ctx: RequestContext) => Response | Promise<Response>;
