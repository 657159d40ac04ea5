import type { Handler } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import { decodePath, isHidden } from "../path/decode_path.ts";
import { openStream } from "../stream_slots.ts";
import { hashProgressStream } from "../streams/hash_progress_stream.ts";
import { NdjsonEncoderStream } from "../streams/ndjson_encoder_stream.ts";
import { streamResponse } from "./stream_response.ts";

/** Digest algorithms `?checksum=` accepts. */
export const CHECKSUM_ALGORITHMS: readonly string[] = ["sha256", "sha512", "sha1"];

/**
 * `GET /<file>?checksum=sha256`: hashes the file and streams NDJSON
 * progress, `{"bytes":…,"total":…,"percent":…}` at the start and every whole
 * percent, then `{"algorithm":"sha256","digest":"<hex>","bytes":…}`. The file
 * is read one chunk at a time as the client reads; a client that leaves
 * stops the hashing and closes the file.
 */
export const checksum: Handler = async (request, ctx) => {
  const algorithm = ctx.url.searchParams.get("checksum") ?? "";
  if (!CHECKSUM_ALGORITHMS.includes(algorithm)) {
    throw new HttpError(400, `Unsupported checksum, use one of ${CHECKSUM_ALGORITHMS.join(", ")}`);
  }
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  if (isHidden(segments, ctx.config.dotfiles)) throw new HttpError(404, "Not found");
  const info = ctx.store.stat(segments);
  if (info === null || (trailingSlash && !info.isDirectory)) throw new HttpError(404, "Not found");
  if (info.isDirectory) throw new HttpError(400, "Checksums are for files, not directories");
  const release = openStream(ctx, "progress");
  let file: Deno.FsFile;
  try {
    file = await ctx.store.open(info.path);
  } catch (error) {
    release();
    throw error;
  }
  const body = hashProgressStream(file, info.size, algorithm)
    .pipeThrough(new NdjsonEncoderStream());
  return streamResponse(request, body, release, {
    headers: {
      "content-type": "application/x-ndjson",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
};
