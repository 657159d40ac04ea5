import type { Handler } from "../context.ts";
import { VERSION } from "../version.ts";

/**
 * `GET /_/health`: liveness, counts of open streams by kind, and the state
 * store (backend, state, latency). 503 with `"status": "degraded"` while the
 * store is unreachable: files are still served, shared features are not.
 */
export const health: Handler = (request, ctx) => {
  const store = ctx.stateStore?.status() ?? null;
  const degraded = store?.state === "degraded";
  const body = {
    status: ctx.state.shutdownSignal.aborted ? "shutting-down" : degraded ? "degraded" : "ok",
    version: VERSION,
    uptime: Math.round((Date.now() - ctx.state.startedAt) / 1000),
    root: ctx.store.root,
    mode: ctx.config.upload ? "read-write" : "read-only",
    streams: ctx.state.openStreams(),
    store: store && { backend: store.backend, state: store.state, latencyMs: store.latencyMs },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  // An explicit length: GET and HEAD send the same headers.
  return new Response(request.method === "HEAD" ? null : bytes, {
    status: degraded ? 503 : 200,
    headers: {
      "content-type": "application/json",
      "content-length": String(bytes.length),
      "cache-control": "no-store",
    },
  });
};
