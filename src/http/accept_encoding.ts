/** A content coding Sluice can send (RFC 9110 §8.4.1). */
export type ContentCoding = "br" | "zstd" | "gzip";

/** Every coding Sluice knows, smallest output first: the order that breaks ties. */
export const CONTENT_CODINGS: readonly ContentCoding[] = ["br", "zstd", "gzip"];

/** One member of an `Accept-Encoding` list. */
export interface AcceptedCoding {
  /** Lower-cased coding name, `identity`, or `*`. */
  coding: string;
  /** Quality weight in [0, 1], 1 when absent. */
  q: number;
}

/** `token` (RFC 9110 §5.6.2) followed by optional `;param` parts. */
const MEMBER = /^([!#$%&'*+.^_`|~0-9a-z-]+)\s*((?:;[^;]*)*)$/i;
/** `weight = OWS ";" OWS "q=" qvalue` (RFC 9110 §12.4.2), three decimals at most. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an `Accept-Encoding` field value (RFC 9110 §12.5.3) into its
 * members, lower-cased, `x-gzip` read as `gzip`. A member whose syntax or
 * q-value is invalid is dropped, so one bad member never spoils the rest.
 *
 * @example
 * ```ts
 * parseAcceptEncoding("gzip;q=0.5, BR"); // [{coding: "gzip", q: 0.5}, {coding: "br", q: 1}]
 * ```
 */
export function parseAcceptEncoding(value: string): AcceptedCoding[] {
  const members: AcceptedCoding[] = [];
  for (const raw of value.split(",")) {
    const match = MEMBER.exec(raw.trim());
    if (match === null) continue;
    let q = 1;
    let valid = true;
    for (const param of match[2].split(";").slice(1)) {
      const [name, ...rest] = param.split("=");
      if (name.trim().toLowerCase() !== "q") continue;
      const text = rest.join("=").trim();
      if (!QVALUE.test(text)) valid = false;
      else q = Number(text);
    }
    if (!valid) continue;
    const coding = match[1].toLowerCase();
    members.push({ coding: coding === "x-gzip" ? "gzip" : coding, q });
  }
  return members;
}

/** The weight `members` give `coding`: its own member, else `*`, else 0. */
function weight(members: readonly AcceptedCoding[], coding: string): number {
  let wildcard: number | undefined;
  let own: number | undefined;
  for (const member of members) {
    // The most specific member wins; among repeats, the highest weight.
    if (member.coding === coding) own = Math.max(own ?? 0, member.q);
    else if (member.coding === "*") wildcard = Math.max(wildcard ?? 0, member.q);
  }
  return own ?? wildcard ?? 0;
}

/**
 * Chooses the coding to send from `available` (server preference order:
 * the first wins a tie) by the request's `Accept-Encoding`, or `null` for
 * identity. No header, an empty one, or nothing acceptable means identity:
 * Sluice then sends the bytes unchanged even if the client refused
 * `identity` (RFC 9110 §12.5.3 allows either that or a 415).
 * A coding is only chosen if its weight is positive and not below the
 * weight the header gives `identity` (unlisted, it is only the fallback).
 *
 * @example
 * ```ts
 * negotiateEncoding("gzip, br", ["br", "gzip"]); // "br"
 * negotiateEncoding("gzip;q=1, br;q=0.5", ["br", "gzip"]); // "gzip"
 * negotiateEncoding(null, ["gzip"]); // null
 * ```
 */
export function negotiateEncoding(
  header: string | null,
  available: readonly ContentCoding[],
): ContentCoding | null {
  if (header === null || available.length === 0) return null;
  const members = parseAcceptEncoding(header);
  if (members.length === 0) return null;
  const identity = weight(members, "identity");
  let best: ContentCoding | null = null;
  let bestQ = 0;
  for (const coding of available) {
    const q = weight(members, coding);
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best !== null && bestQ >= identity ? best : null;
}
