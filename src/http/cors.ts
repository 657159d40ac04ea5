/** Response headers exposed to cross-origin scripts. */
const EXPOSED =
  "Content-Range, Accept-Ranges, ETag, Content-Length, Content-Disposition, Repr-Digest, Location, " +
  // Resumable uploads (tus and the IETF draft), for browser clients on other origins.
  "Content-Location, Upload-Offset, Upload-Length, Upload-Expires, Upload-Complete, Upload-Limit, " +
  "Tus-Resumable, Tus-Version, Tus-Max-Size, Tus-Extension, Tus-Checksum-Algorithm, " +
  // Where a drop box stored an upload.
  "X-Drop-Path";

/** Request headers allowed when a preflight names none. */
const DEFAULT_ALLOWED_HEADERS =
  "Range, If-Match, If-None-Match, If-Modified-Since, If-Range, Content-Type, Authorization, " +
  "Content-Digest, Repr-Digest, Content-MD5, Last-Event-ID, Destination, Overwrite";

/** An RFC 9110 field name (token). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** How many requested header names a preflight answer echoes at most. */
const MAX_REQUESTED = 64;

/**
 * Headers for a CORS-enabled response. `allowed` is `"*"` or one origin;
 * with one origin, other origins get no CORS headers, and the matching one
 * may send credentials (Basic auth). With one origin every response varies
 * by `Origin` (append it to any `Vary`), so a shared cache never hands one
 * origin's answer to another.
 */
export function corsHeaders(allowed: string, origin: string | null): [string, string][] {
  if (allowed === "*") {
    return [["access-control-allow-origin", "*"], ["access-control-expose-headers", EXPOSED]];
  }
  if (origin !== allowed) return [["vary", "Origin"]];
  return [
    ["access-control-allow-origin", allowed],
    ["access-control-expose-headers", EXPOSED],
    ["access-control-allow-credentials", "true"],
    ["vary", "Origin"],
  ];
}

/**
 * The header names a preflight may be answered with: the valid field names
 * of `Access-Control-Request-Headers`, lower-cased and de-duplicated (at most
 * 64), or `null` when it names none.
 *
 * @example
 * ```ts
 * requestedHeaderNames("Range, x-bad header, If-Match"); // ["range", "if-match"]
 * ```
 */
export function requestedHeaderNames(requested: string | null): string[] | null {
  if (requested === null) return null;
  const names = new Set<string>();
  for (const item of requested.split(",")) {
    const name = item.trim().toLowerCase();
    if (FIELD_NAME.test(name)) names.add(name);
    if (names.size === MAX_REQUESTED) break;
  }
  return names.size > 0 ? [...names] : null;
}

/**
 * Extra headers for a preflight answer: the methods the route allows (so
 * `PUT`/`DELETE` only with `--upload`), the requested headers that are valid
 * field names, and a 10-minute cache.
 */
export function preflightHeaders(
  methods: readonly string[],
  requested: string | null,
): [string, string][] {
  return [
    ["access-control-allow-methods", methods.join(", ")],
    [
      "access-control-allow-headers",
      requestedHeaderNames(requested)?.join(", ") ?? DEFAULT_ALLOWED_HEADERS,
    ],
    ["access-control-max-age", "600"],
  ];
}
