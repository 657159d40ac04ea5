import type { AuthUser } from "../config/parse_config.ts";
import { HttpError } from "../http/http_error.ts";
import { authenticate, parseBasicAuth } from "./basic_auth.ts";

/** The challenge sent with every 401. */
export const WWW_AUTHENTICATE = 'Basic realm="sluice", charset="UTF-8"';

/**
 * Methods that never change anything under ROOT; everything else (PUT,
 * DELETE, MOVE and the WebDAV writes: MKCOL, COPY, PROPPATCH, LOCK, UNLOCK)
 * needs an rw user. POST only reaches the `/_/api/` streaming demos
 * (collect, echo), which compute an answer and store nothing; PROPFIND is
 * WebDAV's listing.
 */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS", "POST", "PROPFIND"]);

/** Paths anyone may read whatever the access rules (load balancers, probes). */
const PUBLIC_PATHS = new Set(["/_/health"]);

/**
 * Paths that need no credentials: share links, whose token is the
 * credential (checked by `src/handlers/share_link.ts`, for that share's
 * subtree and mode only), and the UI's own assets, which the share pages
 * load and which hold nothing from ROOT.
 */
const PUBLIC_PREFIXES = ["/_/s/", "/_/static/"];

/** What access control needs from the configuration. */
export interface AccessRules {
  /** Configured users; none means access control is off. */
  auth: readonly AuthUser[];
  /** Whether clients without credentials may read. */
  anonymousRead: boolean;
}

/** What access control needs from the request. */
export interface AccessRequest {
  method: string;
  pathname: string;
  /** The `Authorization` header, if any. */
  authorization: string | null;
}

/**
 * Decides whether a request may go on, and as whom.
 *
 * - No `--auth` users: everyone may do everything the method table allows.
 * - `/_/health`, share links (`/_/s/…`), UI assets and CORS preflights
 *   (`OPTIONS`) are always allowed.
 * - Wrong or missing credentials: 401 with a Basic challenge, except that
 *   reads without credentials pass when `anonymousRead` is on.
 * - A read-only user asking to write: 403.
 *
 * @returns the authenticated user, or `null` for an anonymous request that
 * is allowed.
 * @throws {HttpError} 401 or 403.
 */
export function authorize(rules: AccessRules, request: AccessRequest): AuthUser | null {
  if (rules.auth.length === 0) return null;
  const write = !READ_METHODS.has(request.method);
  if (
    request.method === "OPTIONS" || PUBLIC_PATHS.has(request.pathname) ||
    PUBLIC_PREFIXES.some((prefix) => request.pathname.startsWith(prefix))
  ) {
    return identify(rules, request.authorization);
  }
  if (request.authorization === null) {
    if (!write && rules.anonymousRead) return null;
    throw challenge("Authentication required");
  }
  const user = identify(rules, request.authorization);
  if (user === null) throw challenge("Invalid credentials");
  if (write && user.access !== "rw") throw new HttpError(403, "Read-only user");
  return user;
}

function identify(rules: AccessRules, authorization: string | null): AuthUser | null {
  const credentials = parseBasicAuth(authorization);
  return credentials === null ? null : authenticate(rules.auth, credentials);
}

function challenge(message: string): HttpError {
  return new HttpError(401, message, { "www-authenticate": WWW_AUTHENTICATE });
}
