import { basename } from "node:path";
import type { RequestContext } from "../context.ts";
import { archiveEtag } from "../archive/archive_etag.ts";
import { CrcCache } from "../archive/crc_cache.ts";
import { tarLength } from "../archive/tar_format.ts";
import { zipLayout } from "../archive/zip_format.ts";
import type { FileInfo } from "../fs/file_store.ts";
import { contentDisposition } from "../http/content_disposition.ts";
import { HttpError } from "../http/http_error.ts";
import { archiveVersion, planArchiveResponse } from "../http/plan_archive_response.ts";
import type { ServerState } from "../server_state.ts";
import { openStream } from "../stream_slots.ts";
import { headResponse } from "./stream_response.ts";
import { walkFolder } from "./walk_folder.ts";
import { type ArchiveFiles, tarStream, zipStream } from "../streams/archive_stream.ts";

const FORMATS = {
  zip: { type: "application/zip", extension: ".zip" },
  tar: { type: "application/x-tar", extension: ".tar" },
  "tar.gz": { type: "application/gzip", extension: ".tar.gz" },
} as const;

type Format = keyof typeof FORMATS;

/** `?download` (zip), `?download=zip`, `?download=tar` or `?download=tar.gz` (or `tgz`). */
function parseFormat(value: string): Format {
  if (value === "" || value === "zip") return "zip";
  if (value === "tar") return "tar";
  if (value === "tar.gz" || value === "tgz") return "tar.gz";
  throw new HttpError(400, 'Unknown archive format (use "zip", "tar" or "tar.gz")');
}

/**
 * This archive's own URL, relative to the request's: the same query with
 * `v` set to the archive's version, so that plain `curl -C -` can resume
 * it and never appends a changed folder's archive.
 */
function versionedUrl(url: URL, etag: string): string {
  const query = new URLSearchParams(url.searchParams);
  query.set("v", archiveVersion(etag));
  return `?${query}`;
}

// One per server (keyed by its state), so test servers never share one.
const crcsByServer = new WeakMap<ServerState, CrcCache>();

function crcsOf(state: ServerState): CrcCache {
  let crcs = crcsByServer.get(state);
  if (!crcs) crcsByServer.set(state, crcs = new CrcCache());
  return crcs;
}

/**
 * `GET /dir/?download=zip|tar|tar.gz`: the folder and everything in it as
 * one archive, streamed as it is read. ZIP and tar are stored, not
 * compressed, so their exact length is known before the first byte
 * (browsers show real progress) and building them costs no CPU beyond the
 * ZIP checksums; `tar.gz` trades that for smaller transfers of text-heavy
 * folders (gzip as the client pulls, length unknown). The listing's rules
 * apply: no dot-entries unless `--dotfiles`, nothing outside ROOT.
 *
 * ZIP and tar downloads resume: a strong ETag over every entry's name,
 * size, mtime and inode, `If-Match` / `If-Range`, and a single `Range`
 * answered from the archive's layout, reading only the files it covers.
 * `Content-Location` names this very archive (`?download=zip&v=…`): a
 * `Range` on it, or one with a validator, resumes; any other gets it all.
 */
export async function serveArchive(
  request: Request,
  ctx: RequestContext,
  segments: string[],
  dir: FileInfo,
): Promise<Response> {
  const format = parseFormat(ctx.url.searchParams.get("download") ?? "");
  const release = openStream(ctx, "download");
  try {
    const entries = await walkFolder(request, ctx, dir, "archive");
    const name = (segments.at(-1) ?? (basename(ctx.store.root) || "files")) +
      FORMATS[format].extension;
    const headers: [string, string][] = [
      ["content-type", FORMATS[format].type],
      ["content-disposition", contentDisposition(name)],
      ["x-content-type-options", "nosniff"],
    ];
    const files: ArchiveFiles = {
      open: (source) => ctx.store.openSame(source.path, source.ino ?? null),
      read: (source) => ctx.store.readSame(source.path, source.ino ?? null, source.size),
    };
    if (format === "tar.gz") {
      headers.push(["cache-control", "no-store"], ["accept-ranges", "none"]);
      if (request.method === "HEAD") {
        release();
        return headResponse({ headers });
      }
      const body = tarStream(entries, files).pipeThrough(new CompressionStream("gzip"));
      ctx.completed.then(release, release);
      return new Response(body, { headers });
    }
    const layout = format === "zip" ? zipLayout(entries) : null;
    const length = layout?.length ?? tarLength(entries);
    const etag = archiveEtag(format, entries);
    const plan = planArchiveResponse(
      request.method,
      request.headers,
      etag,
      length,
      ctx.url.searchParams.get("v"),
    );
    if (plan.status === 412) {
      throw new HttpError(412, "If-Match does not match: the folder changed");
    }
    if (plan.status === 416) {
      throw new HttpError(416, "Range not satisfiable", Object.fromEntries(plan.headers));
    }
    const init = {
      status: plan.status,
      headers: [...headers, ...plan.headers, ["content-location", versionedUrl(ctx.url, etag)]],
    };
    if (plan.body === null) {
      release();
      return new Response(null, init);
    }
    const range = plan.body;
    const body = layout
      ? zipStream(layout, files, { range, crcs: crcsOf(ctx.state) })
      : tarStream(entries, files, range);
    ctx.completed.then(release, release);
    return new Response(body, init);
  } catch (error) {
    release();
    throw error;
  }
}
