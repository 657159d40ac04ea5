/**
 * Starts a throwaway `redis-server` (Debian's `redis-server`) on a free
 * loopback port, with no persistence, for tests of the Redis state store
 * and of clusters.
 *
 * @module
 */

/** A running Redis; `await using` stops it. */
export interface TestRedis extends AsyncDisposable {
  url: string;
  port: number;
  /** Stops the server (SIGKILL, as a crash would). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty, as after a crash without persistence). */
  start(): Promise<void>;
}

/** Whether `redis-server` is installed (tests skip with a printed reason otherwise). */
export function hasRedis(): boolean {
  try {
    return Deno.statSync("/usr/bin/redis-server").isFile;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`redis-server did not listen on port ${port}`);
}

/**
 * Starts `redis-server --port <free> --save '' --appendonly no`.
 *
 * @example
 * ```ts
 * await using redis = await startRedis();
 * const store = await RedisStore.connect(redis.url);
 * ```
 */
export async function startRedis(): Promise<TestRedis> {
  const port = freePort();
  let child: Deno.ChildProcess | null = null;
  const start = async () => {
    child = new Deno.Command("redis-server", {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port);
  };
  const stop = async () => {
    if (child === null) return;
    const running = child;
    child = null;
    running.kill("SIGKILL");
    await running.status;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
