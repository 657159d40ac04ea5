import type { RequestContext } from "../context.ts";
import type { FileStore } from "../fs/file_store.ts";
import type { ShareMode } from "./share_input.ts";

/** What a request through a share link may reach, on its request context. */
export interface ShareScope {
  /** The share's public id (logged instead of the token). */
  shareId: string;
  mode: ShareMode;
  /**
   * URL path of the share's root, `/_/s/<token>`: listings link below it
   * and show nothing above it.
   */
  base: string;
}

/**
 * The request context a share request is served with: the same server,
 * but `store` rooted at the shared folder (so paths, symlinks, listings,
 * searches and archives cannot reach above it), `url` rewritten to the path
 * inside the share, no user, and the `scope` set.
 */
export function scopedContext(
  ctx: RequestContext,
  store: FileStore,
  pathname: string,
  scope: ShareScope,
): RequestContext {
  return {
    config: ctx.config,
    store,
    state: ctx.state,
    metrics: ctx.metrics,
    staticDir: ctx.staticDir,
    changeFeed: ctx.changeFeed,
    stateStore: ctx.stateStore,
    url: new URL(pathname + ctx.url.search, ctx.url.origin),
    user: null,
    scope,
    get remote() {
      return ctx.remote;
    },
    get completed() {
      return ctx.completed;
    },
  };
}
