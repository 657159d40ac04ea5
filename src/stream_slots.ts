import type { RequestContext } from "./context.ts";
import { HttpError } from "./http/http_error.ts";
import { currentRss, nearBudget } from "./memory_budget.ts";
import type { ServerState, StreamKind } from "./server_state.ts";

interface Slots {
  byClient: Map<string, number>;
  total: number;
  idle: PromiseWithResolvers<void> | null;
}

// Per server (keyed by its ServerState), so test servers never share counts.
const slotsByServer = new WeakMap<ServerState, Slots>();

function slotsOf(state: ServerState): Slots {
  let slots = slotsByServer.get(state);
  if (!slots) {
    slots = { byClient: new Map(), total: 0, idle: null };
    slotsByServer.set(state, slots);
  }
  return slots;
}

/**
 * Opens a long-lived stream (SSE, WebSocket, progress) for the requesting
 * client: counts it in `ctx.state` by `kind` and against the client's
 * `--max-streams` allowance. Returns the release function; calling it more
 * than once is harmless.
 *
 * @throws {HttpError} 429 when the client already has `maxStreams` open
 * streams, 503 once shutdown has begun or when the process is near
 * `--max-memory`.
 */
export function openStream(ctx: RequestContext, kind: StreamKind): () => void {
  if (ctx.state.shutdownSignal.aborted) throw new HttpError(503, "Server is shutting down");
  const slots = slotsOf(ctx.state);
  const client = ctx.remote;
  const open = slots.byClient.get(client) ?? 0;
  if (open >= ctx.config.maxStreams) {
    throw new HttpError(429, "Too many open streams from this client", { "retry-after": "5" });
  }
  if (nearBudget(currentRss(), ctx.config.maxMemory)) {
    throw new HttpError(503, "Server is low on memory, try again later", { "retry-after": "5" });
  }
  slots.byClient.set(client, open + 1);
  slots.total++;
  const untrack = ctx.state.track(kind);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    untrack();
    const left = (slots.byClient.get(client) ?? 1) - 1;
    if (left > 0) slots.byClient.set(client, left);
    else slots.byClient.delete(client);
    if (--slots.total === 0) {
      slots.idle?.resolve();
      slots.idle = null;
    }
  };
}

/**
 * Resolves once no stream opened with `openStream` is open on this server
 * (at once when none is). Lets tests and shutdown await the release of
 * streams whose clients left, instead of polling.
 */
export function streamsClosed(state: ServerState): Promise<void> {
  const slots = slotsOf(state);
  if (slots.total === 0) return Promise.resolve();
  slots.idle ??= Promise.withResolvers<void>();
  return slots.idle.promise;
}
