import { join } from "node:path";
import type { Metrics } from "./metrics.ts";
import { ResumableFile } from "./fs/resumable_file.ts";
import { releaseDrop } from "./shares/drop_box.ts";
import type { StateStore } from "./state/state_store.ts";
import { tempName, UploadSessions } from "./tus/upload_sessions.ts";

/** The longest pause between two sweeps. */
const MAX_INTERVAL_MS = 60_000;

/**
 * Removes abandoned resumable uploads: sessions past their expiry lose
 * their temp file and their record (counted in `/_/metrics` as
 * `sluice_uploads_expired_total`; a drop-box upload gives back its
 * reserved name and share quota), and finished ones their record. Every
 * instance of a cluster sweeps; an upload being written (leased) is
 * skipped, and a record changed meanwhile is left for the next round.
 */
export class UploadSweeper {
  readonly #store: StateStore;
  readonly #sessions: UploadSessions;
  readonly #root: string;
  readonly #metrics: Metrics;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;

  /** Sweeps `root`'s uploads in `store` about twice per `expiryMs` (at most every minute). */
  constructor(store: StateStore, root: string, metrics: Metrics, expiryMs: number) {
    this.#store = store;
    this.#sessions = new UploadSessions(store);
    this.#root = root;
    this.#metrics = metrics;
    this.#intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(50, Math.floor(expiryMs / 2)));
  }

  /** Starts sweeping in the background (the timer never keeps the process alive). */
  start(): void {
    const timer = setInterval(() => {
      this.#running ??= this.sweep().catch((error) => {
        console.error(`Upload sweeper: ${(error as Error).message}`);
      }).then(() => {
        this.#running = null;
      });
    }, this.#intervalMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops sweeping and waits for a running sweep to end. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One sweep; returns how many unfinished uploads it expired. */
  async sweep(now: number = Date.now()): Promise<number> {
    let expired = 0;
    for (const { session, version } of await this.#sessions.list()) {
      if (session.expiresAt > now) continue;
      const lease = await this.#sessions.lease(session.id);
      if (lease === null) continue;
      try {
        if (!await this.#sessions.remove(session.id, version)) continue;
        if (session.complete) continue;
        const temp = join(this.#root, ...session.tempDir, tempName(session.id));
        await new ResumableFile(temp).remove();
        if (session.drop) await releaseDrop(this.#store, session.drop);
        expired++;
        this.#metrics.uploadExpired();
      } finally {
        await lease.release();
      }
    }
    return expired;
  }
}
