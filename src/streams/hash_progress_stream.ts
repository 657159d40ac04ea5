import { createHash } from "node:crypto";

/** A progress report while hashing. */
export interface HashProgress {
  bytes: number;
  total: number;
  /** Whole percent of `total` hashed so far (capped at 100). */
  percent: number;
}

/** The final report: the hex digest of everything read. */
export interface HashResult {
  algorithm: string;
  digest: string;
  bytes: number;
}

/** The part of `Deno.FsFile` hashing needs. */
export type HashSource = Pick<Deno.FsFile, "read" | "close">;

/**
 * Hashes an open file chunk by chunk and reports progress: one report at
 * the start, one each time another whole percent is done, then the digest.
 * Pull-based, so a paused client pauses the hashing and memory stays at one
 * chunk. The stream owns the file: it closes on completion, on error and on
 * `cancel()` (the client left, so the hashing stops).
 *
 * @example
 * ```ts
 * hashProgressStream(await Deno.open("big.iso"), size, "sha256");
 * ```
 */
export function hashProgressStream(
  file: HashSource,
  total: number,
  algorithm: string,
  chunkSize = 1024 * 1024,
): ReadableStream<HashProgress | HashResult> {
  const hash = createHash(algorithm);
  const buffer = new Uint8Array(chunkSize);
  let bytes = 0;
  let reported = -1;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  const percentOf = (n: number) => total === 0 ? 100 : Math.min(100, Math.floor(n * 100 / total));
  return new ReadableStream<HashProgress | HashResult>({
    async pull(controller) {
      try {
        if (reported === -1) {
          reported = percentOf(0);
          controller.enqueue({ bytes: 0, total, percent: reported });
          return;
        }
        while (true) {
          const n = await file.read(buffer);
          if (closed) return;
          if (n === null) {
            close();
            if (reported < 100 || bytes !== total) {
              controller.enqueue({ bytes, total, percent: 100 });
            }
            controller.enqueue({ algorithm, digest: hash.digest("hex"), bytes });
            controller.close();
            return;
          }
          hash.update(buffer.subarray(0, n));
          bytes += n;
          const percent = percentOf(bytes);
          if (percent > reported) {
            reported = percent;
            controller.enqueue({ bytes, total, percent });
            return;
          }
        }
      } catch (error) {
        close();
        throw error;
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
}
