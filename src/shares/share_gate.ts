import type { RequestContext } from "../context.ts";
import type { ServerState } from "../server_state.ts";
import { requireStore } from "../state/require_store.ts";
import { FailureLimiter } from "./failure_limiter.ts";
import { cookieValue, PASS_COOKIE } from "./pass_cookie.ts";
import { type ShareRecord, ShareRepository } from "./share_repository.ts";
import { isTokenShaped, passCookieValue, sameSecret, verifyPassword } from "./token.ts";

/** What a token opens, before any password. */
export type ShareLookup =
  | { kind: "open"; share: ShareRecord }
  | { kind: "expired"; share: ShareRecord }
  /** Unknown, malformed, revoked or forgotten: all look the same. */
  | { kind: "unknown" }
  /** Too many failed attempts from this client. */
  | { kind: "limited"; retryAfter: number };

// Per server (keyed by its ServerState), so test servers never share counts.
const limiters = new WeakMap<ServerState, FailureLimiter>();

function limiterOf(ctx: RequestContext): FailureLimiter {
  let limiter = limiters.get(ctx.state);
  if (!limiter) {
    limiter = new FailureLimiter();
    limiters.set(ctx.state, limiter);
  }
  return limiter;
}

/**
 * Looks up the share `token` opens, counting unknown tokens against the
 * client's failure allowance (`FailureLimiter`).
 */
export async function lookUpShare(ctx: RequestContext, token: string): Promise<ShareLookup> {
  const now = Date.now();
  const limiter = limiterOf(ctx);
  const retryAfter = limiter.retryAfter(ctx.remote, now);
  if (retryAfter > 0) return { kind: "limited", retryAfter };
  const share = isTokenShaped(token)
    ? await new ShareRepository(requireStore(ctx)).findByToken(token)
    : null;
  if (share === null) {
    limiter.fail(ctx.remote, now);
    return { kind: "unknown" };
  }
  if (share.expiresAt !== null && share.expiresAt <= now) return { kind: "expired", share };
  return { kind: "open", share };
}

/** Whether the browser holds the cookie proving it gave `share`'s password. */
export async function hasPassCookie(
  request: Request,
  share: ShareRecord,
  token: string,
): Promise<boolean> {
  if (share.password === null) return true;
  const cookie = cookieValue(request.headers.get("cookie"), PASS_COOKIE);
  return cookie !== null && sameSecret(cookie, await passCookieValue(token, share.password));
}

/**
 * Checks a password given for `share`; a wrong one counts against the
 * client's failure allowance. A share without a password accepts anything.
 */
export async function checkSharePassword(
  ctx: RequestContext,
  share: ShareRecord,
  password: string,
): Promise<boolean> {
  if (share.password === null) return true;
  if (await verifyPassword(password, share.password)) return true;
  limiterOf(ctx).fail(ctx.remote, Date.now());
  return false;
}

/** Seconds the client must wait before another attempt (0: none). */
export function retryAfter(ctx: RequestContext): number {
  return limiterOf(ctx).retryAfter(ctx.remote, Date.now());
}
