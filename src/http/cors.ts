/** Response headers exposed to cross-origin scripts. */
const EXPOSED =
  "Content-Range, Accept-Ranges, ETag, Content-Length, Content-Disposition, Repr-Digest, Location";

/**
 * Headers for a CORS-enabled response. `allowed` is `"*"` or one origin;
 * with one origin, other origins get no CORS headers.
 */
export function corsHeaders(allowed: string, origin: string | null): [string, string][] {
  if (allowed !== "*" && origin !== allowed) return [];
  return [
    ["access-control-allow-origin", allowed],
    ["access-control-expose-headers", EXPOSED],
    ...(allowed === "*" ? [] : [["vary", "Origin"] as [string, string]]),
  ];
}

/** Extra headers for a preflight answer. */
export function preflightHeaders(
  methods: readonly string[],
  requested: string | null,
): [string, string][] {
  return [
    ["access-control-allow-methods", methods.join(", ")],
    [
      "access-control-allow-headers",
      requested ??
        "Range, If-Match, If-None-Match, If-Modified-Since, If-Range, Content-Type, Authorization",
    ],
    ["access-control-max-age", "600"],
  ];
}
