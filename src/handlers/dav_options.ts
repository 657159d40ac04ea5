import type { Handler } from "../context.ts";
import { decodePath, isHidden } from "../path/decode_path.ts";
import { copyEntry } from "./dav_copy.ts";
import { lock, unlock } from "./dav_lock.ts";
import { mkcol } from "./dav_mkcol.ts";
import { proppatch } from "./dav_proppatch.ts";

/** The WebDAV methods that change something: on the file route only with `--upload`. */
export const DAV_WRITE_METHODS: Record<string, Handler> = {
  COPY: copyEntry,
  MKCOL: mkcol,
  PROPPATCH: proppatch,
  LOCK: lock,
  UNLOCK: unlock,
};

/**
 * `OPTIONS` on a path under ROOT: `DAV: 1, 2` (class 2 needs writes and a
 * state store for the locks, else `DAV: 1`), `MS-Author-Via: DAV` (which
 * Microsoft Office looks for), and an `Allow` with what this path supports
 * now: reads on what exists, writes only in write mode, `MKCOL` only where
 * nothing exists yet. CORS preflights are answered before this.
 */
export const davOptions: Handler = (_request, ctx) => {
  const { segments } = decodePath(ctx.url.pathname);
  const writable = ctx.config.upload;
  const info = isHidden(segments, ctx.config.dotfiles) ? null : ctx.store.stat(segments);
  const allow: string[] = [];
  if (info !== null) allow.push("GET", "HEAD", "PROPFIND");
  if (writable && info === null) allow.push("PUT", "MKCOL", "LOCK");
  if (writable && info !== null) {
    allow.push(...(info.isDirectory ? [] : ["PUT"]), "DELETE", "MOVE", "COPY", "PROPPATCH");
    allow.push("LOCK", "UNLOCK");
  }
  allow.push("OPTIONS");
  const classes = writable && ctx.stateStore ? "1, 2" : "1";
  return new Response(null, {
    status: 204,
    headers: { allow: allow.join(", "), dav: classes, "ms-author-via": "DAV" },
  });
};
