import { basename } from "node:path";
import type { RequestContext } from "../context.ts";
import { tarLength } from "../archive/tar_format.ts";
import { zipLayout } from "../archive/zip_format.ts";
import { type FileInfo, MAX_TREE_ENTRIES, TooManyEntries } from "../fs/file_store.ts";
import { contentDisposition } from "../http/content_disposition.ts";
import { HttpError } from "../http/http_error.ts";
import { openStream } from "../stream_slots.ts";
import { type ArchiveSource, tarStream, zipStream } from "../streams/archive_stream.ts";

const FORMATS = {
  zip: { type: "application/zip", extension: ".zip" },
  tar: { type: "application/x-tar", extension: ".tar" },
} as const;

type Format = keyof typeof FORMATS;

/** `?download` (zip), `?download=zip` or `?download=tar`. */
function parseFormat(value: string): Format {
  if (value === "" || value === "zip") return "zip";
  if (value === "tar") return "tar";
  throw new HttpError(400, 'Unknown archive format (use "zip" or "tar")');
}

/**
 * `GET /dir/?download=zip|tar`: the folder and everything in it as one
 * archive, streamed as it is read. Stored, not compressed, so its exact
 * length is known before the first byte (browsers show real progress) and
 * building it costs no CPU beyond the ZIP checksums. The listing's rules
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
    let entries;
    try {
      entries = await ctx.store.walk(
        dir.path,
        ctx.config.dotfiles,
        MAX_TREE_ENTRIES,
        request.signal,
      );
    } catch (error) {
      if (!(error instanceof TooManyEntries)) throw error;
      throw new HttpError(
        403,
        `Folder too large to archive (more than ${error.limit.toLocaleString("en-US")} entries)`,
      );
    }
    const layout = format === "zip" ? zipLayout(entries) : null;
    const name = (segments.at(-1) ?? (basename(ctx.store.root) || "files")) +
      FORMATS[format].extension;
    const headers = {
      "content-type": FORMATS[format].type,
      "content-length": String(layout?.length ?? tarLength(entries)),
      "content-disposition": contentDisposition(name),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    };
    if (request.method === "HEAD") {
      release();
      return new Response(null, { headers });
    }
    const open = (source: ArchiveSource) => ctx.store.openSame(source.path, source.ino ?? null);
    const body = layout ? zipStream(layout, entries, open) : tarStream(entries, open);
    ctx.completed.then(release, release);
    return new Response(body, { headers });
  } catch (error) {
    release();
    throw error;
  }
}
