import type { Handler } from "../context.ts";
import { VERSION } from "../version.ts";

/** `GET /_/health`: liveness plus counts of open streams by kind. */
export const health: Handler = (_request, ctx) => {
  const body = {
    status: ctx.state.shutdownSignal.aborted ? "shutting-down" : "ok",
    version: VERSION,
    uptime: Math.round((Date.now() - ctx.state.startedAt) / 1000),
    root: ctx.store.root,
    mode: ctx.config.upload ? "read-write" : "read-only",
    streams: ctx.state.openStreams(),
  };
  return Response.json(body, { headers: { "cache-control": "no-store" } });
};
