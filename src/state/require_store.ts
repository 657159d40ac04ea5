import type { RequestContext } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import type { StateStore } from "./state_store.ts";

/**
 * The state store of this server, for features that cannot work without
 * one (locks, upload sessions, shares).
 *
 * @throws {HttpError} 503 when Sluice runs without a state store.
 */
export function requireStore(ctx: RequestContext): StateStore {
  if (ctx.stateStore) return ctx.stateStore;
  throw new HttpError(
    503,
    "This needs a state store: start Sluice with --upload, --state DIR or --redis URL",
  );
}
