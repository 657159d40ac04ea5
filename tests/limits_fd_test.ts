/**
 * Descriptor exhaustion at process level: Sluice started under
 * `ulimit -n 256` and flooded with 400 connections keeps running and answers
 * again once the clients let go, with both listeners (Deno.serve kept
 * listening, and Sluice's own accept loop when connection limits are on).
 */
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, type SluiceProcess, spawnSluice } from "./helpers/sluice_process.ts";

const LIMIT = 256;
const CONNECTIONS = 400;

function startLimited(root: string, flags: string[]): Promise<SluiceProcess> {
  return spawnSluice({
    command: Deno.execPath(),
    // `$0` is the program, `$@` its arguments: the limit applies to Sluice alone.
    prefix: ["bash", "-c", `ulimit -n ${LIMIT} && exec "$0" "$@"`],
    args: denoRunArgs(["--allow-read", "--allow-net"], [root, "--port", "0", "--quiet", ...flags]),
    env: { NO_COLOR: "1" },
  });
}

/** Opens up to `count` connections; with `head`, each sends it and stops there. */
async function flood(url: string, count: number, head: string | null): Promise<Deno.Conn[]> {
  const { hostname, port } = new URL(url);
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      conns.push(conn);
      if (head !== null) await conn.write(new TextEncoder().encode(head));
    } catch {
      // Refused or reset while Sluice was out of descriptors: expected.
    }
  }
  return conns;
}

/**
 * Asks until an answer comes. Recovery takes a moment by design (a backoff
 * of up to a second before listening again), so this retries failed
 * connections; the deadline only guards against a hang.
 */
async function firstAnswer(url: string): Promise<Response> {
  while (true) {
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const CASES = [
  { engine: "Deno.serve kept listening", flags: [] },
  { engine: "Sluice's accept loop", flags: ["--header-timeout", "60000"] },
];
const FLOODS = [
  { what: "idle connections", head: null },
  { what: "half-sent request headers", head: "GET /a.txt HTTP/1.1\r\nHost: x\r\n" },
];

for (const { engine, flags } of CASES) {
  for (const { what, head } of FLOODS) {
    Deno.test(
      `startServer() (${engine}) survives ${CONNECTIONS} ${what} under ulimit -n ${LIMIT} and answers again`,
      async () => {
        await using dir = await tempDir({ "a.txt": "hello" });
        await using sluice = await startLimited(dir.path, flags);
        let exited = false;
        sluice.child.status.then(() => exited = true);
        const conns = await flood(sluice.url, CONNECTIONS, head);
        assertOk(conns.length > LIMIT / 2, `only ${conns.length} connections opened`);
        for (const conn of conns) conn.close();
        const res = await deadline(firstAnswer(sluice.href("/a.txt")), "an answer after the flood");
        assertEquals(res.status, 200);
        assertEquals(await res.text(), "hello");
        assertEquals(exited, false);
      },
    );
  }
}
