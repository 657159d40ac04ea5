/**
 * Loopback ports for servers that cannot report the port they got.
 *
 * @module
 */

/** A loopback port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Resolves once something accepts connections on `port`; rejects when
 * `exited` settles first or after `timeoutMs`.
 */
export async function waitForPort(
  port: number,
  exited: Promise<Deno.CommandStatus>,
  timeoutMs = 10_000,
): Promise<void> {
  let gone = false;
  exited.then(() => gone = true, () => gone = true);
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (gone) throw new Error(`the process exited before listening on ${port}`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
