/**
 * The XML request bodies of PROPFIND, PROPPATCH and LOCK (RFC 4918 §14),
 * from parsed elements to plain requests. Pure.
 *
 * @module
 */
import type { PropChange } from "./prop_store.ts";
import { childElements, DAV_NS, isDav, type XmlElement } from "./xml_reader.ts";
import { escapeXml, serializeElement } from "./xml_writer.ts";

/** A property name in Clark notation: `{DAV:}getetag`, `{}plain`. */
export function clarkName(ns: string, local: string): string {
  return `{${ns}}${local}`;
}

/** Splits a Clark name back into namespace and local name. */
export function splitClark(name: string): { ns: string; local: string } {
  const close = name.indexOf("}");
  return { ns: name.slice(1, close), local: name.slice(close + 1) };
}

/** What a PROPFIND asks for. */
export type PropfindRequest =
  | { kind: "allprop"; include: string[] }
  | { kind: "propname" }
  | { kind: "prop"; names: string[] };

/** A body that is well-formed XML but not the request it should be; the message says why. */
export class DavBodyError extends SyntaxError {
  override name = "DavBodyError";
}

/**
 * Reads a PROPFIND body: `null` (no body) means `allprop`, as RFC 4918
 * §9.1 says.
 *
 * @throws {DavBodyError} for another root, or not exactly one of
 * `allprop`, `propname`, `prop`.
 */
export function propfindRequest(root: XmlElement | null): PropfindRequest {
  if (root === null) return { kind: "allprop", include: [] };
  if (!isDav(root, "propfind")) throw new DavBodyError("PROPFIND body must be a DAV:propfind");
  const children = childElements(root).filter((child) => child.ns === DAV_NS);
  const names = (element: XmlElement) =>
    childElements(element).map((child) => clarkName(child.ns, child.local));
  const prop = children.find((child) => child.local === "prop");
  const kinds = children.filter((child) => ["allprop", "propname", "prop"].includes(child.local));
  if (kinds.length !== 1) {
    throw new DavBodyError("DAV:propfind needs exactly one of allprop, propname or prop");
  }
  if (kinds[0].local === "propname") return { kind: "propname" };
  if (prop !== undefined) return { kind: "prop", names: names(prop) };
  const include = children.find((child) => child.local === "include");
  return { kind: "allprop", include: include === undefined ? [] : names(include) };
}

/**
 * Reads a PROPPATCH body into changes in document order; each `set` keeps
 * the property element whole, as XML that stands alone.
 *
 * @throws {DavBodyError} for another root or no changes.
 */
export function proppatchChanges(root: XmlElement | null): PropChange[] {
  if (root === null || !isDav(root, "propertyupdate")) {
    throw new DavBodyError("PROPPATCH body must be a DAV:propertyupdate");
  }
  const changes: PropChange[] = [];
  for (const instruction of childElements(root)) {
    const op = instruction.ns === DAV_NS ? instruction.local : "";
    if (op !== "set" && op !== "remove") continue;
    for (const prop of childElements(instruction).filter((child) => isDav(child, "prop"))) {
      for (const property of childElements(prop)) {
        const name = clarkName(property.ns, property.local);
        changes.push(
          op === "set" ? { op, name, xml: serializeElement(property) } : { op, name },
        );
      }
    }
  }
  if (changes.length === 0) throw new DavBodyError("DAV:propertyupdate changes nothing");
  return changes;
}

/** What a LOCK body asks for. */
export interface LockInfo {
  scope: "exclusive" | "shared";
  /** The `<D:owner>` content as XML (`""` when none). */
  owner: string;
}

/**
 * Reads a LOCK body (`DAV:lockinfo`): scope, a write lock type, and the
 * owner kept as XML.
 *
 * @throws {DavBodyError} for another root, a missing or unknown scope, or
 * a lock type other than write.
 */
export function lockInfo(root: XmlElement): LockInfo {
  if (!isDav(root, "lockinfo")) throw new DavBodyError("LOCK body must be a DAV:lockinfo");
  const children = childElements(root);
  const scopeElement = children.find((child) => isDav(child, "lockscope"));
  const scope = scopeElement === undefined ? undefined : childElements(scopeElement)[0];
  if (scope === undefined || !(isDav(scope, "exclusive") || isDav(scope, "shared"))) {
    throw new DavBodyError("DAV:lockinfo needs a lockscope of exclusive or shared");
  }
  const type = children.find((child) => isDav(child, "locktype"));
  const write = type === undefined ? undefined : childElements(type)[0];
  if (write === undefined || !isDav(write, "write")) {
    throw new DavBodyError("DAV:lockinfo needs a locktype of write");
  }
  const owner = children.find((child) => isDav(child, "owner"));
  const ownerXml = owner === undefined
    ? ""
    : owner.children.map((child) =>
      typeof child === "string" ? escapeXml(child) : serializeElement(child)
    ).join("");
  return { scope: scope.local as "exclusive" | "shared", owner: ownerXml };
}
