import type { Handler } from "../context.ts";
import { VERSION } from "../version.ts";

/** `GET /_/health`: liveness plus counts of open streams by kind. */
export const health: Handler = (request, ctx) => {
  const body = {
    status: ctx.state.shutdownSignal.aborted ? "shutting-down" : "ok",
    version: VERSION,
    uptime: Math.round((Date.now() - ctx.state.startedAt) / 1000),
    root: ctx.store.root,
    mode: ctx.config.upload ? "read-write" : "read-only",
    streams: ctx.state.openStreams(),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  // An explicit length: GET and HEAD send the same headers.
  return new Response(request.method === "HEAD" ? null : bytes, {
    headers: {
      "content-type": "application/json",
      "content-length": String(bytes.length),
      "cache-control": "no-store",
    },
  });
};
