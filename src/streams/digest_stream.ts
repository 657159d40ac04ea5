import { createHash, type Hash } from "node:crypto";
import type { DigestAlgorithm } from "../http/digest.ts";

/**
 * Passes bytes through unchanged while hashing them with each algorithm
 * (WebCrypto has no incremental digest, `node:crypto` has). After the stream
 * has flushed, `digests()` returns the raw digest per algorithm.
 *
 * @example
 * ```ts
 * const digest = new DigestStream(["sha256"]);
 * await body.pipeThrough(digest).pipeTo(sink);
 * digest.digests().sha256; // Uint8Array(32)
 * ```
 */
export class DigestStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly #hashes: Map<DigestAlgorithm, Hash>;
  #results: Partial<Record<DigestAlgorithm, Uint8Array>> | null = null;

  constructor(algorithms: readonly DigestAlgorithm[]) {
    const hashes = new Map(algorithms.map((a) => [a, createHash(a)] as const));
    super({
      transform(chunk, controller) {
        for (const hash of hashes.values()) hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush: () => {
        this.#results = Object.fromEntries(
          [...hashes].map(([a, hash]) => [a, new Uint8Array(hash.digest())]),
        );
      },
    });
    this.#hashes = hashes;
  }

  /**
   * Digests of everything that passed.
   *
   * @throws {TypeError} when called before the stream has flushed.
   */
  digests(): Partial<Record<DigestAlgorithm, Uint8Array>> {
    if (this.#results === null) throw new TypeError("DigestStream has not finished");
    return this.#results;
  }

  /** The algorithms being computed. */
  get algorithms(): DigestAlgorithm[] {
    return [...this.#hashes.keys()];
  }
}
