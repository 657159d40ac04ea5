import { basename } from "node:path";
import type { RequestContext } from "../context.ts";
import { tarLength } from "../archive/tar_format.ts";
import { zipLayout } from "../archive/zip_format.ts";
import type { FileInfo } from "../fs/file_store.ts";
import { contentDisposition } from "../http/content_disposition.ts";
import { HttpError } from "../http/http_error.ts";
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
 * `GET /dir/?download=zip|tar|tar.gz`: the folder and everything in it as
 * one archive, streamed as it is read. ZIP and tar are stored, not
 * compressed, so their exact length is known before the first byte
 * (browsers show real progress) and building them costs no CPU beyond the
 * ZIP checksums; `tar.gz` trades that for smaller transfers of text-heavy
 * folders (gzip as the client pulls, length unknown). The listing's rules
 * apply: no dot-entries unless `--dotfiles`, nothing outside ROOT.
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
    const layout = format === "zip" ? zipLayout(entries) : null;
    const name = (segments.at(-1) ?? (basename(ctx.store.root) || "files")) +
      FORMATS[format].extension;
    const gzip = format === "tar.gz";
    const headers: Record<string, string> = {
      "content-type": FORMATS[format].type,
      "content-disposition": contentDisposition(name),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    };
    if (!gzip) headers["content-length"] = String(layout?.length ?? tarLength(entries));
    if (request.method === "HEAD") {
      release();
      return gzip ? headResponse({ headers }) : new Response(null, { headers });
    }
    const files: ArchiveFiles = {
      open: (source) => ctx.store.openSame(source.path, source.ino ?? null),
      read: (source) => ctx.store.readSame(source.path, source.ino ?? null, source.size),
    };
    const stored = layout ? zipStream(layout, files) : tarStream(entries, files);
    const body = gzip ? stored.pipeThrough(new CompressionStream("gzip")) : stored;
    ctx.completed.then(release, release);
    return new Response(body, { headers });
  } catch (error) {
    release();
    throw error;
  }
}
