/**
 * Live WebDAV properties (RFC 4918 §15, RFC 4331): computed from what the
 * file system says, never stored. Pure.
 *
 * @module
 */
import { formatHttpDate } from "../http/http_date.ts";
import { clarkName } from "./dav_bodies.ts";
import { SUPPORTED_LOCK_XML } from "./lock_model.ts";
import { DAV_NS } from "./xml_reader.ts";
import { element, escapeXml } from "./xml_writer.ts";

/** What live properties are computed from. */
export interface LiveSource {
  /** The name shown as `displayname` (`""` for ROOT). */
  name: string;
  isDirectory: boolean;
  size: number;
  /** Modification time, epoch ms. */
  mtime: number;
  /** The same strong ETag a GET answers with. */
  etag: string;
  /** The `Content-Type` a GET answers with (files only). */
  contentType: string;
  /** `<D:activelock>`s of the locks on the resource. */
  lockDiscovery: string;
  /** RFC 4331 quota, when asked for and known. */
  quota?: { available: number; used: number } | null;
}

/** Live properties `allprop` returns, as Clark names. */
const ALLPROP_NAMES: readonly string[] = [
  "resourcetype",
  "getcontentlength",
  "getlastmodified",
  "getetag",
  "getcontenttype",
  "creationdate",
  "displayname",
  "supportedlock",
  "lockdiscovery",
].map((local) => clarkName(DAV_NS, local));

/** RFC 4331 quota properties: only when asked for by name (costly, and not in `allprop`). */
export const QUOTA_NAMES: readonly string[] = [
  clarkName(DAV_NS, "quota-available-bytes"),
  clarkName(DAV_NS, "quota-used-bytes"),
];

/** Every live property name, which PROPPATCH may not change. */
export const LIVE_NAMES: ReadonlySet<string> = new Set([...ALLPROP_NAMES, ...QUOTA_NAMES]);

/** The names of the live properties `source` has (for `propname` and `allprop`). */
export function liveNames(source: Pick<LiveSource, "isDirectory">): string[] {
  return source.isDirectory
    ? ALLPROP_NAMES.filter((name) =>
      !name.endsWith("}getcontentlength") && !name.endsWith("}getcontenttype")
    )
    : [...ALLPROP_NAMES];
}

/**
 * The live property `name` (Clark notation) of `source` as a property
 * element, or `null` when the resource has no such property.
 *
 * @example
 * ```ts
 * liveProp("{DAV:}getcontentlength", file); // "<D:getcontentlength>10</D:getcontentlength>"
 * ```
 */
export function liveProp(name: string, source: LiveSource): string | null {
  if (!name.startsWith("{DAV:}")) return null;
  const local = name.slice("{DAV:}".length);
  const prop = (value: string) => element(DAV_NS, local, value);
  switch (local) {
    case "resourcetype":
      return prop(source.isDirectory ? "<D:collection/>" : "");
    case "getcontentlength":
      return source.isDirectory ? null : prop(String(source.size));
    case "getcontenttype":
      return source.isDirectory ? null : prop(escapeXml(source.contentType));
    case "getlastmodified":
      return prop(formatHttpDate(new Date(source.mtime)));
    case "creationdate":
      // File systems rarely keep a birth time; the modification time stands in.
      return prop(new Date(source.mtime).toISOString().replace(/\.\d{3}Z$/, "Z"));
    case "getetag":
      return prop(escapeXml(source.etag));
    case "displayname":
      return prop(escapeXml(source.name));
    case "supportedlock":
      return prop(SUPPORTED_LOCK_XML);
    case "lockdiscovery":
      return prop(source.lockDiscovery);
    case "quota-available-bytes":
      return source.quota ? prop(String(source.quota.available)) : null;
    case "quota-used-bytes":
      return source.quota ? prop(String(source.quota.used)) : null;
    default:
      return null;
  }
}
