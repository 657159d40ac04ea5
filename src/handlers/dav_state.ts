import type { RequestContext } from "../context.ts";
import { pathKey } from "../dav/lock_model.ts";
import { LockStore } from "../dav/lock_store.ts";
import { PropStore } from "../dav/prop_store.ts";

/**
 * After a DELETE: the dead properties and the locks of the resource and of
 * everything below it go with it. Nothing to do without a state store.
 */
export async function forgetResource(
  ctx: RequestContext,
  segments: readonly string[],
): Promise<void> {
  if (!ctx.stateStore) return;
  await new PropStore(ctx.stateStore).remove(segments);
  await new LockStore(ctx.stateStore).removeWithin(pathKey(segments));
}

/**
 * After a MOVE: dead properties follow the resource (RFC 4918 §9.9.1),
 * locks on the source stay behind and end (§7.5).
 */
export async function followMove(
  ctx: RequestContext,
  from: readonly string[],
  to: readonly string[],
): Promise<void> {
  if (!ctx.stateStore) return;
  await new PropStore(ctx.stateStore).move(from, to);
  await new LockStore(ctx.stateStore).removeWithin(pathKey(from));
}
