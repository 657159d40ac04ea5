import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.ts";
import type { Config } from "./config/parse_config.ts";
import { ChangeFeed } from "./fs/change_feed.ts";
import { ClusterFeed } from "./cluster/cluster_feed.ts";
import { FileStore } from "./fs/file_store.ts";
import { removeTemps } from "./fs/file_writer.ts";
import { sweepTemps } from "./fs/temp_sweep.ts";
import { Metrics } from "./metrics.ts";
import { ConnectionServer } from "./net/connection_server.ts";
import { SupervisedServer } from "./net/supervised_server.ts";
import { FileChanged } from "./streams/archive_stream.ts";
import { ServerState } from "./server_state.ts";
import { UploadSweeper } from "./upload_sweeper.ts";
import { RedisStore } from "./state/redis_store.ts";
import { SqliteStore } from "./state/sqlite_store.ts";
import type { StateStore } from "./state/state_store.ts";
import { openPageCache } from "./fs/page_cache.ts";

/** A running Sluice server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  port: number;
  state: ServerState;
  /** The server's counters (an `EventTarget` for `"upload-failed"`). */
  metrics: Metrics;
  store: FileStore;
  /** Locks, properties, upload sessions and shares; `null` without state. */
  stateStore: StateStore | null;
  /**
   * Graceful shutdown: end live streams, let running uploads and then
   * responses finish for up to `graceMs` in all, then close everything and
   * remove the temp files of uploads that did not finish.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/** Absolute path of the bundled UI assets, wherever Sluice runs from. */
const STATIC_DIR: string = fileURLToPath(new URL("../static", import.meta.url));

/** Where the state store lives and how hard to try to open it. */
export interface StateStoreChoice {
  /** Folder of the SQLite store (ignored with `config.redis`); `null` when none is known. */
  dir: string | null;
  /** Fail when the store cannot be opened (`--state` given). */
  required: boolean;
  /** Create the folder and store when missing (writes enabled); otherwise use one only if it exists. */
  create: boolean;
}

/**
 * Opens the state store `config` asks for: Redis with `--redis`, otherwise
 * SQLite (`state.db`) in `choice.dir`, created with mode 0700. Returns
 * `null` when the store is optional and cannot be opened: a read-only
 * server needs none, and never makes Deno prompt for a permission.
 *
 * @throws {StoreUnavailable} when Redis cannot be reached;
 * `Deno.errors.*` when a required SQLite store cannot be opened.
 */
export async function openStateStore(
  config: Config,
  choice: StateStoreChoice,
): Promise<StateStore | null> {
  if (config.redis !== null) {
    return await RedisStore.connect(config.redis, {
      onStateChange: (state, detail) =>
        console.error(
          state === "ok"
            ? "State store: Redis is reachable again"
            : `State store: Redis unreachable (${detail}); shared features answer 503 until it returns`,
        ),
    });
  }
  const { dir, required, create } = choice;
  if (dir === null) {
    if (required) throw new Deno.errors.NotFound("no state folder: pass --state DIR");
    return null;
  }
  const file = join(dir, "state.db");
  if (!required) {
    const allowed = (name: "read" | "write") =>
      Deno.permissions.querySync({ name, path: dir }).state === "granted";
    if (!allowed("read") || !allowed("write")) return null;
    if (!create && !exists(file)) return null;
  }
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new SqliteStore(file);
  } catch (error) {
    if (required) throw error;
    return null;
  }
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Starts Sluice with `config` and the state store it owns from then on
 * (closed by `shutdown`). Throws `Deno.errors.AddrInUse` when the port
 * is taken and `Deno.errors.NotFound` when ROOT does not exist.
 */
export function startServer(config: Config, stateStore: StateStore | null = null): RunningServer {
  const store = new FileStore(config.root);
  const state = new ServerState({ pageCache: config.dropUploadCache ? openPageCache() : null });
  const metrics = new Metrics();
  const changeFeed = new ChangeFeed(store.root, {
    dotfiles: config.dotfiles,
    onChange: () => store.cache.clear(),
    // Entries cached before the watcher ran were never covered by it. Only
    // --watch trusts it instead of a stat per hit: a watcher does not see
    // every change (another host's writes on a network filesystem).
    onWatching: (watching) => {
      store.cache.clear();
      store.cache.trusted = watching && config.watch;
    },
  });
  // In a cluster (a shared store) subscribers read one log that every
  // instance's watcher publishes to; a change from any instance drops cached bytes.
  const clusterFeed = stateStore?.backend === "redis"
    ? new ClusterFeed(store.root, changeFeed, stateStore, { onChange: () => store.cache.clear() })
    : null;
  clusterFeed?.start();
  const handler = createApp({
    config,
    store,
    state,
    metrics,
    staticDir: STATIC_DIR,
    changeFeed: clusterFeed ?? changeFeed,
    stateStore,
  });
  const tls = config.cert !== null && config.key !== null
    ? { cert: Deno.readTextFileSync(config.cert), key: Deno.readTextFileSync(config.key) }
    : undefined;
  const listen = {
    hostname: config.host,
    port: config.port,
    tls,
    onError: (error: unknown) => {
      // A body that had to stop early: the client sees a short body, and
      // one line here says why.
      if (error instanceof FileChanged) {
        console.error(`Response cut short: ${error.message}`);
        return new Response(null, { status: 500 });
      }
      console.error("Unexpected server error:", error);
      return new Response("Internal server error\n", { status: 500 });
    },
  };
  // Deno.serve has no header or keep-alive timeouts and no per-client
  // connection cap: those need Sluice to accept connections itself.
  const { headerTimeout, keepAliveTimeout, maxClientConnections } = config;
  const server = headerTimeout > 0 || keepAliveTimeout > 0 || maxClientConnections > 0
    ? new ConnectionServer(
      { ...listen, headerTimeout, keepAliveTimeout, maxClientConnections },
      handler,
    )
    : new SupervisedServer(listen, handler);
  const sweeper = config.upload && stateStore !== null
    ? new UploadSweeper(stateStore, store.root, metrics, config.uploadExpiry)
    : null;
  sweeper?.start();
  if (config.watch) {
    try {
      changeFeed.hold();
    } catch (error) {
      console.error(
        `--watch: cannot watch ROOT (${(error as Error).message}); ` +
          "cached files are re-checked on every request",
      );
    }
  }
  // Temp files of uploads a crash (kill -9) cut off: in the background, bounded.
  const sweep = config.upload
    ? sweepTemps(store.root, {
      staleAfterMs: config.staleTempAge,
      running: state.temps,
      signal: state.shutdownSignal,
    }).then(({ removed }) => {
      if (removed.length > 0) {
        console.error(`Removed ${removed.length} temp files of uploads cut off by a crash`);
      }
    })
    : null;
  const addr = server.addr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const scheme = config.cert ? "https" : "http";

  let stopping: Promise<void> | null = null;
  return {
    url: `${scheme}://${host}:${addr.port}/`,
    port: addr.port,
    state,
    metrics,
    store,
    stateStore,
    finished: server.finished,
    shutdown(graceMs = config.grace) {
      stopping ??= (async () => {
        state.beginShutdown();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
        // Uploads first: Deno's own shutdown cuts request bodies off.
        await Promise.race([state.idle("upload"), grace]);
        await Promise.race([server.shutdown(), grace]);
        clearTimeout(timer);
        await sweep;
        await clusterFeed?.close();
        await changeFeed.close();
        await sweeper?.stop();
        await stateStore?.close();
        // Uploads the grace cut short: the process exit that follows would
        // skip their own cleanup, so their temp files go now.
        removeTemps(state.temps);
      })();
      return stopping;
    },
  };
}
