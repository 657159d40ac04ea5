/**
 * The WebDAV `If` header (RFC 4918 §10.4): parsing and evaluation, pure.
 *
 * @module
 */

/** One condition of a list: a state token (lock token) or an entity tag, maybe negated. */
export type IfCondition =
  | { not: boolean; kind: "token"; value: string }
  | { not: boolean; kind: "etag"; value: string };

/** One parenthesised list, for the tagged resource or (`null`) the request URI. */
export interface IfList {
  resource: string | null;
  conditions: IfCondition[];
}

/** What a list is evaluated against: a resource's ETag and the tokens of the locks on it. */
export interface ResourceState {
  /** `null` when the resource does not exist (no ETag matches). */
  etag: string | null;
  /** Lock tokens of every lock that covers the resource. */
  tokens: readonly string[];
}

/**
 * Parses an `If` header value: either untagged lists only, or tagged lists
 * only (`<resource> (…) (…)`), as the grammar requires.
 *
 * @throws {SyntaxError} with the reason, for anything the grammar does not
 * allow (the caller answers 400).
 *
 * @example
 * ```ts
 * parseIf('(<urn:uuid:1> ["e1"]) (Not <DAV:no-lock>)');
 * // [{ resource: null, conditions: [token urn:uuid:1, etag "e1"] },
 * //  { resource: null, conditions: [not token DAV:no-lock] }]
 * ```
 */
export function parseIf(value: string): IfList[] {
  const lists: IfList[] = [];
  let pos = 0;
  let resource: string | null = null;
  let tagged: boolean | null = null;
  const skip = () => {
    while (pos < value.length && (value[pos] === " " || value[pos] === "\t")) pos++;
  };
  const until = (close: string, what: string): string => {
    const end = value.indexOf(close, pos);
    if (end === -1) throw new SyntaxError(`Unterminated ${what} in If header`);
    const text = value.slice(pos, end);
    pos = end + 1;
    return text;
  };
  skip();
  if (pos === value.length) throw new SyntaxError("Empty If header");
  while (pos < value.length) {
    if (value[pos] === "<") {
      if (tagged === false) throw new SyntaxError("If header mixes tagged and untagged lists");
      tagged = true;
      pos++;
      resource = until(">", "resource tag");
      if (resource === "") throw new SyntaxError("Empty resource tag in If header");
      skip();
      if (value[pos] !== "(") throw new SyntaxError("Resource tag without a list in If header");
      continue;
    }
    if (value[pos] !== "(") throw new SyntaxError(`Unexpected "${value[pos]}" in If header`);
    if (tagged === null) tagged = false;
    pos++;
    const conditions: IfCondition[] = [];
    while (true) {
      skip();
      if (value[pos] === ")") {
        pos++;
        break;
      }
      let not = false;
      if (value.startsWith("Not", pos)) {
        not = true;
        pos += 3;
        skip();
      }
      if (value[pos] === "<") {
        pos++;
        const token = until(">", "state token");
        if (token === "" || /\s/.test(token)) {
          throw new SyntaxError("Invalid state token in If header");
        }
        conditions.push({ not, kind: "token", value: token });
      } else if (value[pos] === "[") {
        pos++;
        const etag = until("]", "entity tag").trim();
        if (!/^(W\/)?"[^"]*"$/.test(etag)) throw new SyntaxError("Invalid entity tag in If header");
        conditions.push({ not, kind: "etag", value: etag });
      } else {
        throw new SyntaxError(
          pos >= value.length ? "Unterminated list in If header" : "Invalid condition in If header",
        );
      }
    }
    if (conditions.length === 0) throw new SyntaxError("Empty list in If header");
    lists.push({ resource: tagged ? resource : null, conditions });
    skip();
  }
  return lists;
}

/** Whether one condition holds for `state`. */
function holds(condition: IfCondition, state: ResourceState): boolean {
  const matched = condition.kind === "token"
    ? state.tokens.includes(condition.value)
    : state.etag !== null && condition.value.replace(/^W\//, "") === state.etag.replace(/^W\//, "");
  return matched !== condition.not;
}

/**
 * Evaluates parsed lists: true when at least one list has every condition
 * holding for its resource (`null` resources mean the request URI).
 * `stateOf` answers for each resource a list names (see `ifResources`).
 */
export function evaluateIf(
  lists: readonly IfList[],
  stateOf: (resource: string | null) => ResourceState,
): boolean {
  return lists.some((list) => {
    const state = stateOf(list.resource);
    return list.conditions.every((condition) => holds(condition, state));
  });
}

/** The distinct resource tags the lists name (`null` for the request URI). */
export function ifResources(lists: readonly IfList[]): (string | null)[] {
  return [...new Set(lists.map((list) => list.resource))];
}

/**
 * The lock tokens a request submits: every token the `If` header names
 * without `Not` (RFC 4918 §10.4.1: naming a token in the header is how a
 * client shows it holds the lock).
 */
export function submittedTokens(lists: readonly IfList[]): Set<string> {
  const tokens = new Set<string>();
  for (const list of lists) {
    for (const condition of list.conditions) {
      if (condition.kind === "token" && !condition.not) tokens.add(condition.value);
    }
  }
  return tokens;
}
