/**
 * Uploads into drop boxes (upload shares): what the `PUT` handler and the
 * resumable-upload (tus) endpoint both call. A drop box never overwrites: a
 * taken name becomes `name (1).ext`, reserved in the state store while its
 * upload runs, so two uploads of one name on two instances get two files.
 *
 * @module
 */
import type { RequestContext } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { contained } from "../path/contained.ts";
import { requireStore } from "../state/require_store.ts";
import type { StateStore } from "../state/state_store.ts";
import { numberedName } from "./drop_name.ts";
import { checkSharePassword, lookUpShare } from "./share_gate.ts";
import { type ShareRecord, ShareRepository } from "./share_repository.ts";

/** Numbered names tried before giving up (`name (1)` … `name (999)`). */
const MAX_NUMBER = 999;

/** How long a name stays reserved for an upload that never finishes nor fails. */
const RESERVATION_MS = 7 * 24 * 3600_000;

/** Where one drop-box upload goes, reserved until recorded or released. */
export interface DropTarget {
  shareId: string;
  /** The share's expiry (epoch ms or `null`), for bookkeeping. */
  expiresAt: number | null;
  /** Real path of the drop-box folder. */
  folderPath: string;
  /** Decoded segments of the file below ROOT: pass to `FileWriter.locate`. */
  segments: string[];
  /** The file's final name, numbered when the name asked for was taken. */
  finalName: string;
  /** The file's path inside the drop box, `/`-separated: what to tell the uploader. */
  relativePath: string;
  /** Most bytes this upload may store (the share's remaining room and `--max-upload`). */
  maxBytes: number;
  /** Bytes counted against the share up front (the declared size, or 0). */
  reservedBytes: number;
  /** Absolute path whose name is reserved. */
  reservedPath: string;
}

/**
 * Reserves a file in `share`'s drop box for an upload of `segments` (the
 * decoded path inside the drop box; folders are created as needed) of
 * `declared` bytes when known: counts it against the share's file and byte
 * limits and picks and reserves a free name.
 *
 * @throws {HttpError} 400 for a bad name, 403 when uploads are off or the
 * file limit is reached, 404 when the folder is gone, 409 when a folder on
 * the way is a file or a link leading out of the drop box, 413 when the
 * byte limit would be passed.
 */
export async function reserveDrop(
  ctx: RequestContext,
  share: ShareRecord,
  segments: string[],
  declared: number | null,
): Promise<DropTarget> {
  if (share.mode !== "upload") throw new HttpError(403, "This link does not take uploads");
  if (!ctx.config.upload) throw new HttpError(403, "Uploads are turned off on this server");
  if (segments.length === 0) throw new HttpError(400, "A file name is needed");
  checkWritablePath(segments, ctx.config.dotfiles);
  const folder = ctx.store.stat(share.segments);
  if (folder === null || !folder.isDirectory) {
    throw new HttpError(404, "The drop box folder is no longer there");
  }
  if (declared !== null && declared > ctx.config.maxUpload) {
    throw new HttpError(413, "Upload too large");
  }
  const repo = new ShareRepository(requireStore(ctx));
  const now = Date.now();
  const reservedBytes = declared ?? 0;
  let room = Infinity;
  await repo.updateUsage(share, (usage) => {
    if (share.maxFiles !== null && usage.files >= share.maxFiles) {
      throw new HttpError(403, "This drop box takes no more files");
    }
    if (share.maxBytes !== null) {
      room = share.maxBytes - usage.bytes;
      if (reservedBytes > room) throw new HttpError(413, "Not enough room left in this drop box");
    }
    return {
      ...usage,
      uses: usage.uses + 1,
      files: usage.files + 1,
      bytes: usage.bytes + reservedBytes,
      lastUse: now,
    };
  }, now);
  const counted = { shareId: share.id, expiresAt: share.expiresAt, reservedBytes };
  try {
    const placed = await reserveName(ctx, repo, share, folder.path, segments);
    return {
      ...counted,
      ...placed,
      folderPath: folder.path,
      maxBytes: Math.min(declared ?? room, ctx.config.maxUpload),
    };
  } catch (error) {
    await uncount(repo, counted);
    throw error;
  }
}

async function reserveName(
  ctx: RequestContext,
  repo: ShareRepository,
  share: ShareRecord,
  folderPath: string,
  segments: string[],
): Promise<Pick<DropTarget, "segments" | "finalName" | "relativePath" | "reservedPath">> {
  const writer = new FileWriter(ctx.store.root);
  const dirs = segments.slice(0, -1);
  const name = segments[segments.length - 1];
  for (let n = 0; n <= MAX_NUMBER; n++) {
    const finalName = numberedName(name, n);
    if (n > 0) checkWritablePath([finalName], ctx.config.dotfiles);
    const full = [...share.segments, ...dirs, finalName];
    const target = writer.locate(full);
    if (!contained(folderPath, target.base)) {
      throw new HttpError(409, "A folder on the way leads outside the drop box");
    }
    if (target.existing !== null || target.isSymlink) continue;
    if (!await repo.reserveName(target.path, share.id, RESERVATION_MS)) continue;
    return {
      segments: full,
      finalName,
      relativePath: [...dirs, finalName].join("/"),
      reservedPath: target.path,
    };
  }
  throw new HttpError(409, "Too many files with this name in the drop box");
}

async function uncount(
  repo: ShareRepository,
  target: Pick<DropTarget, "shareId" | "expiresAt" | "reservedBytes">,
): Promise<void> {
  await repo.updateUsage(
    { id: target.shareId, expiresAt: target.expiresAt },
    (usage) => ({
      ...usage,
      files: Math.max(0, usage.files - 1),
      bytes: Math.max(0, usage.bytes - target.reservedBytes),
    }),
    Date.now(),
  );
}

/**
 * Records a finished upload to `target` of `bytes` bytes (settling the
 * bytes reserved up front) and frees its name reservation: call it right
 * after the file was renamed into place.
 */
export async function recordDropUpload(
  ctx: RequestContext,
  target: DropTarget,
  bytes: number,
): Promise<void> {
  const repo = new ShareRepository(requireStore(ctx));
  await repo.updateUsage(
    { id: target.shareId, expiresAt: target.expiresAt },
    (usage) => ({ ...usage, bytes: Math.max(0, usage.bytes - target.reservedBytes + bytes) }),
    Date.now(),
  );
  await repo.releaseName(target.reservedPath);
}

/** Gives back what `reserveDrop` took, for an upload that failed or was abandoned. */
export async function releaseDropTarget(ctx: RequestContext, target: DropTarget): Promise<void> {
  await releaseDrop(requireStore(ctx), target);
}

/**
 * `releaseDropTarget` for code that runs outside a request (the upload
 * sweeper). A revoked share's counts are gone already: only the name is
 * released then.
 */
export async function releaseDrop(store: StateStore, target: DropTarget): Promise<void> {
  const repo = new ShareRepository(store);
  if (await repo.findById(target.shareId) !== null) await uncount(repo, target);
  await repo.releaseName(target.reservedPath);
}

/**
 * For uploads that do not come through a share link's own URL (the tus
 * endpoint): checks `token` (rate-limited like the links), the share's
 * expiry and `password`, then reserves a file for `requestedName` (a name,
 * or a `/`-separated path inside the drop box) as `reserveDrop` does.
 *
 * @throws {HttpError} 404 for an unknown or revoked token, 410 when expired,
 * 401 for a wrong or missing password, 429 after too many failed attempts,
 * and everything `reserveDrop` throws.
 */
export async function resolveDropTarget(
  ctx: RequestContext,
  token: string,
  password: string | null,
  requestedName: string,
  declared: number | null = null,
): Promise<DropTarget> {
  const found = await lookUpShare(ctx, token);
  switch (found.kind) {
    case "limited":
      throw new HttpError(429, "Too many failed attempts, try again later", {
        "retry-after": String(found.retryAfter),
      });
    case "unknown":
      throw new HttpError(404, "Unknown or revoked link");
    case "expired":
      throw new HttpError(410, "This link has expired");
  }
  const { share } = found;
  if (share.password !== null && !await checkSharePassword(ctx, share, password ?? "")) {
    throw new HttpError(401, "Wrong or missing password");
  }
  const segments = requestedName.split("/").filter((s) => s !== "");
  for (const s of segments) {
    if (s === "." || s === ".." || s.includes("\\")) throw new HttpError(400, "Invalid file name");
  }
  return await reserveDrop(ctx, share, segments, declared);
}
