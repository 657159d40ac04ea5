/** Why a relayed answer failed, as counted in `sluice_chat_failures_total`. */
export type ChatFailureKind =
  | "unreachable"
  | "auth"
  | "rate_limit"
  | "status"
  | "malformed"
  | "timeout"
  | "upstream";

/** A failed answer: its kind and a short reason safe to show a browser. */
export interface ChatFailure {
  kind: ChatFailureKind;
  /** Short and plain: never the key, never the upstream's response body. */
  reason: string;
}

/**
 * The `Retry-After` value worth repeating: delay seconds, or an HTTP date
 * (kept as sent, if it parses); `null` for anything else.
 */
function retryAfterText(value: string | null): string | null {
  const raw = value?.trim() ?? "";
  if (/^\d{1,9}$/.test(raw)) return `${Number(raw)} s`;
  if (raw.length <= 40 && /^[A-Za-z0-9 ,:]+$/.test(raw) && !Number.isNaN(Date.parse(raw))) {
    return raw;
  }
  return null;
}

/**
 * The failure for an upstream that answered with an error status, from the
 * status and its `Retry-After` header alone (the body is never read: it may
 * echo the request or name the account).
 *
 * @example
 * ```ts
 * statusFailure(429, "20"); // { kind: "rate_limit", reason: "Upstream rate limit reached (429), retry after 20 s" }
 * ```
 */
export function statusFailure(status: number, retryAfter: string | null): ChatFailure {
  if (status === 401 || status === 403) {
    return { kind: "auth", reason: `Upstream refused the API key (${status})` };
  }
  if (status === 429) {
    const after = retryAfterText(retryAfter);
    return {
      kind: "rate_limit",
      reason: `Upstream rate limit reached (429)${after ? `, retry after ${after}` : ""}`,
    };
  }
  if (status === 404) {
    return { kind: "status", reason: "Upstream has no such endpoint or model (404)" };
  }
  if (status >= 500) return { kind: "status", reason: `Upstream failed (${status})` };
  return { kind: "status", reason: `Upstream rejected the request (${status})` };
}
