import { type Config, parseConfig } from "../../src/config/parse_config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { SqliteStore } from "../../src/state/sqlite_store.ts";
import type { StateStore } from "../../src/state/state_store.ts";

/** A server started for one test; `await using` shuts it down. */
export type TestServer = RunningServer & AsyncDisposable & {
  /** Resolves a path against the server's base URL. */
  href(path: string): string;
};

/**
 * Starts the real server on 127.0.0.1 port 0, quiet, serving `root`, with
 * any config fields overridden.
 *
 * @example
 * ```ts
 * await using server = await startTestServer(dir, { upload: true });
 * const res = await fetch(server.href("/a.txt"));
 * ```
 */
export function startTestServer(
  root: string,
  overrides: Partial<Config> = {},
  stateStore: StateStore | null = null,
): TestServer {
  const config = { ...parseConfig([root, "--port", "0", "--quiet"]), ...overrides };
  const server = startServer(config, stateStore);
  return Object.assign(server, {
    href: (path: string) => new URL(path, server.url).href,
    async [Symbol.asyncDispose]() {
      await server.shutdown(0);
      await server.finished;
    },
  });
}

/** A fresh temporary directory removed by `await using`. */
export async function tempDir(
  files: Record<string, string | Uint8Array> = {},
): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "sluice-test-" });
  for (const [name, content] of Object.entries(files)) {
    const full = `${path}/${name}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/**
 * Starts the test server with an embedded (SQLite) state store in
 * `stateDir` (a fresh temp dir when absent); the store closes with the
 * server. Reuse one `stateDir` to test what survives a restart.
 *
 * @example
 * ```ts
 * await using server = await startStatefulServer(dir, { upload: true });
 * ```
 */
export async function startStatefulServer(
  root: string,
  overrides: Partial<Config> = {},
  stateDir?: string,
): Promise<TestServer> {
  const dir = stateDir ?? await Deno.makeTempDir({ prefix: "sluice-state-" });
  const store = new SqliteStore(`${dir}/state.db`);
  const server = startTestServer(root, overrides, store);
  if (stateDir !== undefined) return server;
  const dispose = server[Symbol.asyncDispose];
  return Object.assign(server, {
    async [Symbol.asyncDispose]() {
      await dispose();
      await Deno.remove(dir, { recursive: true });
    },
  });
}
