import type { StateStore } from "../state/state_store.ts";
import { pathKey } from "./lock_model.ts";

/** Dead properties of one resource: Clark name (`{ns}local`) → the property element as XML. */
export type DeadProps = Record<string, string>;

/** One PROPPATCH instruction, in document order. */
export type PropChange =
  | { op: "set"; name: string; xml: string }
  | { op: "remove"; name: string };

const PREFIX = "dav:prop:";

/**
 * The record key of a resource's dead properties: its parent's path key,
 * `//`, its name (`dav:prop:/a//b.txt`); `dav:prop:` for ROOT. So the
 * members of a folder share one prefix (`dav:prop:/a//`) and one range
 * scan finds them for a PROPFIND, and every descendant starts with the
 * folder's key plus `/`.
 */
export function propKey(segments: readonly string[]): string {
  if (segments.length === 0) return PREFIX;
  return PREFIX + pathKey(segments.slice(0, -1)) + "//" + segments[segments.length - 1];
}

/** Most attempts at an atomic patch that loses races before giving up. */
const PATCH_ATTEMPTS = 8;

/**
 * Dead (client-defined) WebDAV properties kept in the state store, one
 * record per resource. A PROPPATCH is applied with compare-and-set, so it
 * lands whole or not at all; properties follow COPY and MOVE and go with
 * DELETE.
 */
export class PropStore {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** The dead properties of one resource (empty when none). */
  async get(segments: readonly string[]): Promise<DeadProps> {
    return (await this.#store.get<DeadProps>(propKey(segments)))?.value ?? {};
  }

  /** The dead properties of a folder's members, by member name (only members that have some). */
  async members(segments: readonly string[]): Promise<Map<string, DeadProps>> {
    const prefix = PREFIX + pathKey(segments) + "//";
    const found = new Map<string, DeadProps>();
    for (const record of await this.#store.list<DeadProps>(prefix)) {
      found.set(record.key.slice(prefix.length), record.value);
    }
    return found;
  }

  /**
   * Applies `changes` in order to one resource's properties, atomically:
   * retried from a fresh read when another writer got in between.
   *
   * @throws {Error} when the record keeps changing under it.
   */
  async patch(segments: readonly string[], changes: readonly PropChange[]): Promise<void> {
    const key = propKey(segments);
    for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
      const record = await this.#store.get<DeadProps>(key);
      const props: DeadProps = { ...record?.value };
      for (const change of changes) {
        if (change.op === "set") props[change.name] = change.xml;
        else delete props[change.name];
      }
      const empty = Object.keys(props).length === 0;
      if (record === null) {
        if (empty || await this.#store.create(key, props)) return;
      } else if (empty) {
        if (await this.#store.delete(key, record.version)) return;
      } else if (await this.#store.compareAndSet(key, record.version, props)) {
        return;
      }
    }
    throw new Error("Properties kept changing during PROPPATCH");
  }

  /** The resource's record and its descendants', as [key suffix, props]. */
  async #tree(segments: readonly string[]): Promise<[string, DeadProps][]> {
    const own = await this.#store.get<DeadProps>(propKey(segments));
    const base = PREFIX + pathKey(segments);
    const below = segments.length === 0 ? [] : await this.#store.list<DeadProps>(base + "/");
    return [
      ...(own === null ? [] : [["", own.value] as [string, DeadProps]]),
      ...below.map((record) =>
        [record.key.slice(base.length), record.value] as [string, DeadProps]
      ),
    ];
  }

  /**
   * Copies the properties of `from` (and with `deep`, of everything below
   * it) to `to`, replacing what `to` had.
   */
  async copy(from: readonly string[], to: readonly string[], deep: boolean): Promise<void> {
    await this.remove(to);
    for (const [suffix, props] of await this.#tree(from)) {
      if (suffix !== "" && !deep) continue;
      await this.#store.put(suffix === "" ? propKey(to) : PREFIX + pathKey(to) + suffix, props);
    }
  }

  /** Moves the properties of `from` and everything below it to `to`. */
  async move(from: readonly string[], to: readonly string[]): Promise<void> {
    await this.copy(from, to, true);
    await this.remove(from);
  }

  /** Removes the properties of a resource and of everything below it. */
  async remove(segments: readonly string[]): Promise<void> {
    for (const [suffix] of await this.#tree(segments)) {
      await this.#store.delete(
        suffix === "" ? propKey(segments) : PREFIX + pathKey(segments) + suffix,
      );
    }
  }
}
