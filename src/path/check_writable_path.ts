import { HttpError } from "../http/http_error.ts";
import { isTempName } from "./decode_path.ts";

/** Longest file name most file systems accept, in UTF-8 bytes. */
const MAX_NAME_BYTES = 255;

const encoder = new TextEncoder();

/**
 * Rejects decoded path segments a client may not create, replace or delete:
 * dot-entries unless `dotfiles` (they stay hidden, as for reads), Sluice's own
 * temporary files always, names with control characters, and names longer
 * than 255 bytes.
 *
 * @throws {HttpError} 400 with the reason.
 */
export function checkWritablePath(segments: readonly string[], dotfiles: boolean): void {
  for (const segment of segments) {
    if (isTempName(segment)) throw new HttpError(400, "Reserved file name");
    if (!dotfiles && segment.startsWith(".")) {
      throw new HttpError(400, "Dot-entries are not writable");
    }
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x1f\x7f]/.test(segment)) throw new HttpError(400, "Control character in name");
    if (encoder.encode(segment).length > MAX_NAME_BYTES) throw new HttpError(400, "Name too long");
  }
}
