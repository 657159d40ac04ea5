import type { RequestContext } from "../context.ts";
import { HttpError } from "../http/http_error.ts";

/**
 * Whether a file name is macOS Finder metadata: AppleDouble `._name` files
 * (extended attributes and resource forks) and `.DS_Store` (window
 * layout), which Finder writes next to everything it copies to a WebDAV
 * volume.
 */
export function isFinderMetadata(name: string): boolean {
  return name.startsWith("._") || name === ".DS_Store";
}

/**
 * A PUT of Finder metadata while dot-entries are hidden: the body is read
 * (within `--max-upload`) and dropped, and the answer is 201, so a Finder
 * copy goes on instead of failing with error -36, and ROOT does not fill
 * with `._*` files. With `--dotfiles` they are stored like any file.
 *
 * @throws {HttpError} 413 past `--max-upload`.
 */
export async function discardFinderMetadata(
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  let size = 0;
  for await (const chunk of request.body ?? []) {
    size += chunk.length;
    if (size > ctx.config.maxUpload) throw new HttpError(413, "Upload too large");
  }
  return new Response(null, { status: 201 });
}
