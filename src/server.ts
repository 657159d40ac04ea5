import { fileURLToPath } from "node:url";
import { createApp } from "./app.ts";
import type { Config } from "./config/parse_config.ts";
import { ChangeFeed } from "./fs/change_feed.ts";
import { FileStore } from "./fs/file_store.ts";
import { removeTemps } from "./fs/file_writer.ts";
import { Metrics } from "./metrics.ts";
import { FileChanged } from "./streams/archive_stream.ts";
import { ServerState } from "./server_state.ts";

/** A running Sluice server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  port: number;
  state: ServerState;
  /** The server's counters (an `EventTarget` for `"upload-failed"`). */
  metrics: Metrics;
  store: FileStore;
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

/**
 * Starts Sluice with `config`. Throws `Deno.errors.AddrInUse` when the port
 * is taken and `Deno.errors.NotFound` when ROOT does not exist.
 */
export function startServer(config: Config): RunningServer {
  const store = new FileStore(config.root);
  const state = new ServerState();
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
  const handler = createApp({ config, store, state, metrics, staticDir: STATIC_DIR, changeFeed });
  const tls = config.cert !== null && config.key !== null
    ? { cert: Deno.readTextFileSync(config.cert), key: Deno.readTextFileSync(config.key) }
    : {};
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    ...tls,
    onListen: () => {},
    onError: (error) => {
      // A body that had to stop early: the client sees a short body, and
      // one line here says why.
      if (error instanceof FileChanged) {
        console.error(`Response cut short: ${error.message}`);
        return new Response(null, { status: 500 });
      }
      console.error("Unexpected server error:", error);
      return new Response("Internal server error\n", { status: 500 });
    },
  }, handler);
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
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const scheme = config.cert ? "https" : "http";

  let stopping: Promise<void> | null = null;
  return {
    url: `${scheme}://${host}:${addr.port}/`,
    port: addr.port,
    state,
    metrics,
    store,
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
        await changeFeed.close();
        // Uploads the grace cut short: the process exit that follows would
        // skip their own cleanup, so their temp files go now.
        removeTemps(state.temps);
      })();
      return stopping;
    },
  };
}
