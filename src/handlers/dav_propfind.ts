import type { Handler } from "../context.ts";
import type { TreeEntry } from "../fs/file_store.ts";
import {
  DavBodyError,
  type PropfindRequest,
  propfindRequest,
  splitClark,
} from "../dav/dav_bodies.ts";
import { DavError } from "../dav/dav_error.ts";
import { parseDepth } from "../dav/dav_headers.ts";
import { liveNames, liveProp, type LiveSource, QUOTA_NAMES } from "../dav/live_props.ts";
import { activeLockXml, type DavLock, locksOn, pathKey } from "../dav/lock_model.ts";
import { LockStore } from "../dav/lock_store.ts";
import { type DeadProps, PropStore } from "../dav/prop_store.ts";
import { readXmlBody } from "../dav/xml_reader.ts";
import {
  element,
  multistatusResponse,
  multistatusStream,
  propResponse,
  type PropStat,
  XML_CONTENT_TYPE,
} from "../dav/xml_writer.ts";
import { diskSpace } from "../fs/disk_space.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { contentType } from "../http/media_type.ts";
import { decodePath, encodePath, isHidden } from "../path/decode_path.ts";
import { lockHref } from "./dav_guard.ts";

/** What one resource of the answer is rendered from. */
interface Resource {
  segments: string[];
  isDirectory: boolean;
  size: number;
  mtime: number;
  ino: number | null;
}

/**
 * `PROPFIND` (RFC 4918 §9.1) with `Depth: 0` or `1`; `infinity` (also what
 * a missing header means) is refused with 403 and `propfind-finite-depth`,
 * as mod_dav does by default. The 207 body streams: members are stat'ed
 * and written as the client reads, so a folder of 100,000 files costs one
 * chunk of memory (plus the dead properties of members that have some).
 */
export const propfind: Handler = async (request, ctx) => {
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  if (isHidden(segments, ctx.config.dotfiles)) throw new HttpError(404, "Not found");
  const depth = parseDepth(request.headers.get("depth"), ["0", "1", "infinity"]);
  const body = await readXmlBody(request);
  if (depth === "infinity") {
    throw new DavError(
      403,
      "Depth: infinity is not supported (use 0 or 1)",
      "propfind-finite-depth",
    );
  }
  let query: PropfindRequest;
  try {
    query = propfindRequest(body);
  } catch (error) {
    if (error instanceof DavBodyError) throw new HttpError(400, error.message);
    throw error;
  }
  const info = ctx.store.stat(segments);
  if (info === null || (trailingSlash && !info.isDirectory)) throw new HttpError(404, "Not found");
  if (!info.isDirectory && !info.isFile) throw new HttpError(404, "Not found");
  const locks = ctx.stateStore ? await new LockStore(ctx.stateStore).all() : [];
  const props = ctx.stateStore ? new PropStore(ctx.stateStore) : null;
  const quota = query.kind !== "propname" && wantsQuota(query) ? diskSpace(info.path) : null;
  const now = Date.now();
  const render = (resource: Resource, dead: DeadProps) =>
    renderResource(query, resource, dead, locks, quota, now);

  const self = render({ ...info, segments }, await props?.get(segments) ?? {});
  if (depth === "0" || !info.isDirectory) return multistatusResponse([self]);
  const members = props !== null && wantsDead(query) ? await props.members(segments) : new Map();
  // Read now: an unreadable folder is a 403 before any byte, not a cut-off body.
  const entries = await ctx.store.entries(info.path, ctx.config.dotfiles);
  const responses = memberResponses(entries, segments, self, members, render);
  return new Response(multistatusStream(responses, () => entries.return?.()), {
    status: 207,
    headers: { "content-type": XML_CONTENT_TYPE },
  });
};

/** The folder's own response, then one per member as the stream asks for them. */
async function* memberResponses(
  entries: AsyncIterableIterator<TreeEntry>,
  segments: string[],
  self: string,
  members: Map<string, DeadProps>,
  render: (resource: Resource, dead: DeadProps) => string,
): AsyncGenerator<string> {
  yield self;
  for await (const entry of entries) {
    // `/_/` belongs to Sluice: a folder named `_` in ROOT is not reachable.
    if (segments.length === 0 && entry.name === "_") continue;
    yield render({ ...entry, segments: [...segments, entry.name] }, members.get(entry.name) ?? {});
  }
}

function wantsQuota(query: PropfindRequest): boolean {
  const names = query.kind === "prop" ? query.names : query.kind === "allprop" ? query.include : [];
  return names.some((name) => QUOTA_NAMES.includes(name));
}

function wantsDead(query: PropfindRequest): boolean {
  return query.kind !== "prop" || query.names.some((name) => !name.startsWith("{DAV:}"));
}

/** One `<D:response>`. */
function renderResource(
  query: PropfindRequest,
  resource: Resource,
  dead: DeadProps,
  locks: DavLock[],
  quota: { available: number; used: number } | null,
  now: number,
): string {
  const name = resource.segments[resource.segments.length - 1] ?? "";
  const onIt = locksOn(locks, pathKey(resource.segments), now);
  const source: LiveSource = {
    name,
    isDirectory: resource.isDirectory,
    size: resource.size,
    mtime: resource.mtime,
    etag: makeEtag(resource),
    contentType: contentType(name),
    lockDiscovery: onIt.map((lock) => activeLockXml(lock, lockHref(lock), now)).join(""),
    quota,
  };
  const href = encodePath(resource.segments, resource.isDirectory) || "/";
  if (query.kind === "propname") {
    const names = [...liveNames(source), ...Object.keys(dead)];
    return propResponse(href, [{ status: 200, props: names.map(emptyElement) }]);
  }
  const found: string[] = [];
  const missing: string[] = [];
  const wanted = query.kind === "prop" ? query.names : [...liveNames(source), ...query.include];
  for (const wantedName of new Set(wanted)) {
    const value = liveProp(wantedName, source) ?? dead[wantedName] ?? null;
    if (value === null) missing.push(emptyElement(wantedName));
    else found.push(value);
  }
  if (query.kind === "allprop") {
    for (const [deadName, value] of Object.entries(dead)) {
      if (!query.include.includes(deadName)) found.push(value);
    }
  }
  const groups: PropStat[] = [{ status: 200, props: found }, { status: 404, props: missing }];
  return propResponse(href, groups);
}

function emptyElement(name: string): string {
  const { ns, local } = splitClark(name);
  return element(ns, local);
}
