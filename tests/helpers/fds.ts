import { assertOk } from "./assert.ts";

/**
 * Entries of this process's `/proc/<pid>/fd`. Deno reads `/proc/self` only
 * with `--allow-all`, so `ls` (which `--allow-run` permits) lists it.
 */
export async function openFds(): Promise<number> {
  const out = await new Deno.Command("ls", { args: [`/proc/${Deno.pid}/fd`] }).output();
  assertOk(out.success, "ls /proc/<pid>/fd");
  return new TextDecoder().decode(out.stdout).trim().split("\n").length;
}

/**
 * Waits (a bounded number of event-loop turns) until no more descriptors
 * are open than `before`: the server notices disconnects asynchronously.
 */
export async function settledFds(before: number): Promise<number> {
  let after = await openFds();
  for (let attempt = 0; attempt < 100 && after > before; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    after = await openFds();
  }
  return after;
}
