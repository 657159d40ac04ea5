/**
 * Drives `npm:tus-js-client` (the Node build, under Deno) against a test
 * server: uploads, aborts part-way, and resumes through an in-memory URL
 * storage with `findPreviousUploads`, as an app that survives a reload would.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import * as tus from "tus-js-client";

/** What an upload stored for resuming (tus-js-client's `PreviousUpload`). */
type StoredUpload = tus.PreviousUpload & { urlStorageKey: string };

/** tus-js-client's URL storage, kept in memory (the file one holds timers and locks). */
export class MemoryUrlStorage implements tus.UrlStorage {
  readonly #items = new Map<string, StoredUpload>();
  #next = 0;

  findAllUploads(): Promise<tus.PreviousUpload[]> {
    return Promise.resolve([...this.#items.values()]);
  }

  findUploadsByFingerprint(fingerprint: string): Promise<tus.PreviousUpload[]> {
    return Promise.resolve(
      [...this.#items].filter(([key]) => key.startsWith(`tus::${fingerprint}::`)).map(([, v]) => v),
    );
  }

  removeUpload(key: string): Promise<void> {
    this.#items.delete(key);
    return Promise.resolve();
  }

  addUpload(fingerprint: string, upload: tus.PreviousUpload): Promise<string> {
    const key = `tus::${fingerprint}::${this.#next++}`;
    this.#items.set(key, { ...upload, urlStorageKey: key });
    return Promise.resolve(key);
  }
}

/** Options shared by every upload of one test. */
export interface TusOptions {
  endpoint: string;
  storage: MemoryUrlStorage;
  metadata: Record<string, string>;
  protocol?: "tus-v1" | "ietf-draft-05";
  /** Bytes per PATCH (16 MiB by default). */
  chunkSize?: number;
}

function options(o: TusOptions): tus.UploadOptions {
  return {
    endpoint: o.endpoint,
    urlStorage: o.storage,
    metadata: o.metadata,
    protocol: o.protocol ?? "tus-v1",
    chunkSize: o.chunkSize ?? 16 * 1024 * 1024,
    retryDelays: null,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    // The default includes the endpoint, whose port changes across servers.
    fingerprint: (file: Buffer) => Promise.resolve(`test-${file.length}`),
  } as unknown as tus.UploadOptions;
}

/**
 * Starts uploading `data` and aborts once at least `fraction` of it was
 * sent (usually in the middle of a PATCH; at the latest once a PATCH that
 * reaches it is answered: progress events are throttled, so a fast upload
 * may pass the mark between two); resolves with the upload URL when the
 * abort is done.
 */
export function uploadUntil(data: Buffer, fraction: number, o: TusOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let aborted = false;
    const abortPast = (sent: number) => {
      if (aborted || sent < data.length * fraction) return;
      aborted = true;
      upload.abort().then(() => resolve(upload.url!), reject);
    };
    const upload = new tus.Upload(data, {
      ...options(o),
      onProgress: abortPast,
      onChunkComplete: (_size, accepted) => abortPast(accepted),
      onError: reject,
      onSuccess: () => reject(new Error("the upload finished before it was aborted")),
    });
    upload.start();
  });
}

/**
 * Resumes the upload of `data` found in `o.storage` (`findPreviousUploads`);
 * resolves with the upload URL once it finished. Fails when nothing is
 * there to resume.
 */
export async function resumeUpload(data: Buffer, o: TusOptions): Promise<string> {
  const { promise, resolve, reject } = Promise.withResolvers<string>();
  const upload = new tus.Upload(data, {
    ...options(o),
    onError: reject,
    onSuccess: () => resolve(upload.url!),
  });
  const previous = await upload.findPreviousUploads();
  if (previous.length === 0) throw new Error("no previous upload to resume");
  upload.resumeFromPreviousUpload(previous[0]);
  upload.start();
  return await promise;
}

/** `size` bytes of a repeating but non-periodic pattern (offset errors show). */
export function testBytes(size: number): Buffer {
  const data = Buffer.alloc(size);
  let x = 2463534242;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  return data;
}

/** Hex SHA-256 of some bytes. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
