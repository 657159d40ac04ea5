import type { Handler } from "../context.ts";
import { DavBodyError, proppatchChanges, splitClark } from "../dav/dav_bodies.ts";
import { LIVE_NAMES } from "../dav/live_props.ts";
import { PropStore } from "../dav/prop_store.ts";
import { readXmlBody } from "../dav/xml_reader.ts";
import { element, multistatusResponse, propResponse } from "../dav/xml_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath, encodePath } from "../path/decode_path.ts";
import { requireStore } from "../state/require_store.ts";
import { checkDavWrite } from "./dav_guard.ts";

/**
 * `PROPPATCH` (RFC 4918 §9.2): sets and removes dead properties of any
 * namespace, values kept as sent (nested XML included), in the state store.
 * All or nothing: when one change is refused (a `DAV:` property, which
 * are live or reserved: 403), none is applied and the others answer 424.
 */
export const proppatch: Handler = async (request, ctx) => {
  const store = requireStore(ctx);
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  checkWritablePath(segments, ctx.config.dotfiles);
  const info = ctx.store.stat(segments);
  if (info === null || (trailingSlash && !info.isDirectory)) throw new HttpError(404, "Not found");
  await checkDavWrite(request, ctx, [{ segments }]);
  let changes;
  try {
    changes = proppatchChanges(await readXmlBody(request));
  } catch (error) {
    if (error instanceof DavBodyError) throw new HttpError(400, error.message);
    throw error;
  }
  const refused = new Set(
    changes.filter((change) => LIVE_NAMES.has(change.name) || change.name.startsWith("{DAV:}"))
      .map((change) => change.name),
  );
  const names = [...new Set(changes.map((change) => change.name))];
  const empty = (name: string) => {
    const { ns, local } = splitClark(name);
    return element(ns, local);
  };
  const href = encodePath(segments, info.isDirectory) || "/";
  if (refused.size > 0) {
    return multistatusResponse([propResponse(href, [
      { status: 403, props: names.filter((name) => refused.has(name)).map(empty) },
      { status: 424, props: names.filter((name) => !refused.has(name)).map(empty) },
    ])]);
  }
  await new PropStore(store).patch(segments, changes);
  return multistatusResponse([propResponse(href, [{ status: 200, props: names.map(empty) }])]);
};
