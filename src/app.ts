import { type AppDeps, Context, type Handler, type RequestContext } from "./context.ts";
import { authorize } from "./auth/authorize.ts";
import { deleteEntry } from "./handlers/delete.ts";
import { moveEntry } from "./handlers/move.ts";
import { DAV_WRITE_METHODS, davOptions } from "./handlers/dav_options.ts";
import { propfind } from "./handlers/dav_propfind.ts";
import { demosPage } from "./handlers/demos_page.ts";
import { serveFiles } from "./handlers/files.ts";
import { health } from "./handlers/health.ts";
import { apiCollect } from "./handlers/api_collect.ts";
import { apiEcho } from "./handlers/api_echo.ts";
import { apiStat } from "./handlers/api_stat.ts";
import { events } from "./handlers/events.ts";
import { progressStream } from "./handlers/progress_stream.ts";
import { sseCountdown } from "./handlers/sse_countdown.ts";
import { sseTokens } from "./handlers/sse_tokens.ts";
import { sseChat } from "./handlers/sse_chat.ts";
import { wsEcho } from "./handlers/ws_echo.ts";
import { serveMetrics } from "./handlers/metrics.ts";
import { loadAssets, STATIC_PREFIX, staticAssets } from "./handlers/static_assets.ts";
import { upload } from "./handlers/upload.ts";
import { createShare, listShares, revokeShare, SHARES_API } from "./handlers/shares_api.ts";
import { shareLink } from "./handlers/share_link.ts";
import { sharesPage } from "./handlers/shares_page.ts";
import { logPath, SHARE_LINK_PREFIX } from "./shares/share_link_path.ts";
import {
  appendUpload,
  createUpload,
  terminateUpload,
  uploadOffset,
  uploadOptions,
  UPLOADS_PATH,
} from "./handlers/resumable_upload.ts";
import { acceptsJson } from "./http/accepts.ts";
import { corsHeaders, preflightHeaders } from "./http/cors.ts";
import { HttpError } from "./http/http_error.ts";
import {
  descriptorExhaustionError,
  isDescriptorExhaustion,
  reportDescriptorExhaustion,
} from "./net/descriptor_exhaustion.ts";
import { requestUrl } from "./http/request_url.ts";
import { formatAccessLog } from "./log/access_log.ts";
import { StoreUnavailable } from "./state/state_store.ts";
import { DavError, davErrorResponse } from "./dav/dav_error.ts";

/** Handlers by method for one path (or path prefix). */
export interface Route {
  path: string;
  /** Match every path that starts with `path`. */
  prefix?: boolean;
  methods: Partial<Record<string, Handler>>;
}

/** Stands in for the URL of a request whose `Host` is invalid (answered 400). */
const INVALID_URL = new URL("http://invalid/");

/** Where every request under ROOT goes. */
const FILE_ROUTE: Route = {
  path: "/",
  prefix: true,
  methods: { GET: serveFiles, HEAD: serveFiles, PROPFIND: propfind, OPTIONS: davOptions },
};

/** The file route, with PUT, DELETE, MOVE and the WebDAV writes only when writes are enabled (`--upload`). */
function fileRoute(writable: boolean): Route {
  if (!writable) return FILE_ROUTE;
  return {
    ...FILE_ROUTE,
    methods: {
      ...FILE_ROUTE.methods,
      PUT: upload,
      DELETE: deleteEntry,
      MOVE: moveEntry,
      ...DAV_WRITE_METHODS,
    },
  };
}

/** The route table: reserved `/_/` endpoints first, then files under ROOT. */
export function routes(deps: AppDeps): Route[] {
  return [
    { path: "/_/health", methods: { GET: health } },
    { path: "/_/metrics", methods: { GET: serveMetrics } },
    {
      path: STATIC_PREFIX,
      prefix: true,
      methods: { GET: staticAssets(loadAssets(deps.staticDir)) },
    },
    { path: "/_/", methods: { GET: demosPage(deps.staticDir, deps.config.llm !== null) } },
    { path: "/_/sse/countdown", methods: { GET: sseCountdown } },
    { path: "/_/sse/tokens", methods: { GET: sseTokens } },
    // Only with --llm-url: otherwise 404 (the `/_/` catch-all), and the demos page hides it.
    ...(deps.config.llm ? [{ path: "/_/sse/chat", methods: { GET: sseChat, POST: sseChat } }] : []),
    { path: "/_/events", methods: { GET: events } },
    { path: "/_/stream", methods: { GET: progressStream } },
    { path: "/_/api/stat", methods: { GET: apiStat } },
    { path: "/_/api/collect", methods: { POST: apiCollect } },
    { path: "/_/api/echo", methods: { POST: apiEcho } },
    { path: "/_/ws/echo", methods: { GET: wsEcho } },
    // Resumable uploads (tus, IETF draft): only with --upload, like PUT.
    ...(deps.config.upload
      ? [{
        path: UPLOADS_PATH,
        prefix: true,
        methods: {
          POST: createUpload,
          HEAD: uploadOffset,
          PATCH: appendUpload,
          DELETE: terminateUpload,
          OPTIONS: uploadOptions,
        },
      }]
      : []),
    // Share links: the token is the credential (see authorize.ts).
    {
      path: SHARE_LINK_PREFIX,
      prefix: true,
      methods: {
        GET: shareLink,
        HEAD: shareLink,
        POST: shareLink,
        PUT: shareLink,
        PATCH: shareLink,
        DELETE: shareLink,
      },
    },
    { path: SHARES_API, methods: { GET: listShares, POST: createShare } },
    { path: SHARES_API + "/", prefix: true, methods: { DELETE: revokeShare } },
    { path: "/_/shares", methods: { GET: sharesPage(deps.staticDir) } },
    { path: "/_/", prefix: true, methods: {} },
    fileRoute(deps.config.upload),
  ];
}

function findRoute(table: Route[], pathname: string): Route {
  for (const route of table) {
    if (route.prefix ? pathname.startsWith(route.path) : pathname === route.path) return route;
  }
  return FILE_ROUTE;
}

function allowed(route: Route): string[] {
  const methods = Object.keys(route.methods).filter((method) => method !== "OPTIONS");
  if (methods.includes("GET") && !methods.includes("HEAD")) methods.push("HEAD");
  return methods.length > 0 ? [...methods, "OPTIONS"] : [];
}

/** Answers an `HttpError` with its status and a short plain (or JSON) reason. */
function errorResponse(error: HttpError, request: Request): Response {
  if (error instanceof DavError) return davErrorResponse(error, request);
  const headers = new Headers(error.headers);
  const json = acceptsJson(request);
  headers.set(
    "content-type",
    json ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
  );
  headers.set("x-content-type-options", "nosniff");
  const body = json
    ? JSON.stringify({ error: error.message, status: error.status })
    : error.message + "\n";
  const bytes = new TextEncoder().encode(body);
  // Explicit, so HEAD carries the length GET would send.
  headers.set("content-length", String(bytes.length));
  const bodyless = request.method === "HEAD" || error.status === 304;
  return new Response(bodyless ? null : bytes, { status: error.status, headers });
}

function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return new HttpError(403, "Permission denied");
  }
  if (error instanceof Deno.errors.NotFound) return new HttpError(404, "Not found");
  if (isDescriptorExhaustion(error)) {
    reportDescriptorExhaustion("answering a request");
    return descriptorExhaustionError();
  }
  if (error instanceof StoreUnavailable) {
    return new HttpError(503, "State store unavailable, try again shortly", { "retry-after": "5" });
  }
  return null;
}

/**
 * Body bytes a response sends: 0 without a body, `null` when unknown.
 * Reads `response.body` only as a last resort: the getter turns a byte body
 * into a stream, which takes Deno.serve off its fast path (≈ 40% more CPU
 * per small-file request, see docs/compile-and-bench.md).
 */
function sentBytes(request: Request, response: Response): number | null {
  if (request.method === "HEAD" || response.status === 204 || response.status === 304) return 0;
  const length = response.headers.get("content-length");
  if (length !== null) return Number(length);
  return response.body === null ? 0 : null;
}

/**
 * Builds the request handler: routing, method checks, CORS, the single error
 * boundary, and one access-log line per request.
 */
export function createApp(
  deps: AppDeps,
  table: Route[] = routes(deps),
): (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> {
  const { config, metrics } = deps;
  const log = config.quiet ? null : (line: string) => console.log(line);

  const allowedByRoute = new Map(table.map((route) => [route, allowed(route)]));

  /** Routes a request; throws `HttpError`s. Synchronous answers stay synchronous. */
  function dispatch(request: Request, ctx: RequestContext): Response | Promise<Response> {
    if (config.auth.length > 0) {
      ctx.user = authorize(config, {
        method: request.method,
        pathname: ctx.url.pathname,
        authorization: request.headers.get("authorization"),
      });
    }
    const route = findRoute(table, ctx.url.pathname);
    const methods = allowedByRoute.get(route) ?? allowed(route);
    if (methods.length === 0) throw new HttpError(404, "Not found");
    const preflight = request.headers.has("access-control-request-method");
    if (request.method === "OPTIONS" && (!route.methods.OPTIONS || preflight)) {
      const headers: [string, string][] = [["allow", methods.join(", ")]];
      if (config.cors !== null && preflight) {
        headers.push(
          ...preflightHeaders(methods, request.headers.get("access-control-request-headers")),
        );
      }
      return new Response(null, { status: 204, headers });
    }
    const handler = route.methods[request.method] ??
      (request.method === "HEAD" ? route.methods.GET : undefined);
    if (!handler) {
      throw new HttpError(405, "Method not allowed", { allow: methods.join(", ") });
    }
    return handler(request, ctx);
  }

  /** The single error boundary: any throw becomes a precise status. */
  function fail(request: Request, ctx: Context, error: unknown): Response {
    // Work stopped because the client left (a long walk sees request.signal):
    // nobody reads the answer; log it like nginx's 499, not as an error.
    const left = request.signal.aborted && error === request.signal.reason;
    const httpError = left ? new HttpError(499, "Client closed request") : toHttpError(error);
    if (httpError === null) {
      const path = logPath(ctx.url.pathname, ctx.scope?.shareId ?? null);
      console.error(`Unexpected error for ${request.method} ${path}:`, error);
    }
    return errorResponse(httpError ?? new HttpError(500, "Internal server error"), request);
  }

  /** CORS headers, metrics and the access-log line of an answered request. */
  function finish(request: Request, ctx: Context, response: Response): Response {
    // A WebSocket upgrade (101) is not a CORS response, and its headers are final.
    if (config.cors !== null && response.status !== 101) {
      for (const [k, v] of corsHeaders(config.cors, request.headers.get("origin"))) {
        if (k === "vary") response.headers.append(k, v);
        else response.headers.set(k, v);
      }
    }
    const bytes = sentBytes(request, response);
    metrics.record(request.method, response.status, bytes ?? 0);
    log?.(formatAccessLog(config.logFormat, {
      method: request.method,
      path: logPath(ctx.url.pathname + ctx.url.search, ctx.scope?.shareId ?? null),
      status: response.status,
      bytes,
      ms: performance.now() - ctx.started,
      remote: ctx.remote,
    }));
    return response;
  }

  // Not async: a synchronous answer (a cached small file) goes back to
  // Deno.serve without a promise.
  return (request, info) => {
    const url = requestUrl(request);
    const ctx = new Context(deps, url ?? INVALID_URL, info);
    if (url === null) {
      return finish(request, ctx, fail(request, ctx, new HttpError(400, "Invalid Host header")));
    }
    let result: Response | Promise<Response>;
    try {
      result = dispatch(request, ctx);
    } catch (error) {
      return finish(request, ctx, fail(request, ctx, error));
    }
    if (result instanceof Response) return finish(request, ctx, result);
    return result.then(
      (response) => finish(request, ctx, response),
      (error) => finish(request, ctx, fail(request, ctx, error)),
    );
  };
}
