/**
 * `--drop-upload-cache`: the Writeback that flushes an upload as it streams
 * and drops what is on disk, and a real Sluice (`main.ts` with
 * `--allow-ffi`) whose uploads by curl and tus-js-client are byte-exact and
 * leave (almost) nothing in the page cache, as `fincore` reports.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { PageCache } from "../src/fs/page_cache.ts";
import { Writeback } from "../src/fs/writeback.ts";
import { assertEquals, assertMatch, assertOk, assertRejects } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";
import { MemoryUrlStorage, resumeUpload, uploadUntil } from "./helpers/tus_client.ts";

const MiB = 1024 * 1024;

/** A page cache that records the ranges it was asked to drop. */
function recordingCache(): PageCache & { drops: [string, number, number][] } {
  const drops: [string, number, number][] = [];
  return { drops, drop: (path, offset, length) => void drops.push([path, offset, length]) };
}

Deno.test("Writeback flushes every step in the background, one at a time, and drops what is durable", async () => {
  const cache = recordingCache();
  const flushes: PromiseWithResolvers<void>[] = [];
  const writeback = new Writeback(() => {
    const flush = Promise.withResolvers<void>();
    flushes.push(flush);
    return flush.promise;
  }, { path: "/f", start: 100, step: 10, pageCache: cache });
  writeback.wrote(6);
  assertEquals(flushes.length, 0, "below one step: no flush");
  writeback.wrote(6);
  assertEquals(flushes.length, 1, "a step passed: a flush started");
  writeback.wrote(30);
  assertEquals(flushes.length, 1, "one flush at a time");
  flushes[0].resolve();
  await writeback.settled();
  assertEquals(cache.drops, [["/f", 100, 12]], "the first 12 bytes are durable");
  writeback.wrote(1);
  assertEquals(flushes.length, 2, "31 bytes since the last flush began");
  flushes[1].resolve();
  await writeback.sync();
  assertEquals(flushes.length, 2, "that flush covered everything written");
  assertEquals(cache.drops, [["/f", 100, 12], ["/f", 112, 31]]);
  writeback.wrote(2);
  const synced = writeback.sync();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(flushes.length, 3, "sync flushes the tail below a step");
  flushes[2].resolve();
  await synced;
  assertEquals(cache.drops.at(-1), ["/f", 143, 2]);
  assertEquals(writeback.written, 45);
  await writeback.sync();
  assertEquals(flushes.length, 3, "nothing new written: no flush");
});

Deno.test("Writeback reports a failed background flush and drops nothing it did not sync", async () => {
  const cache = recordingCache();
  const failure = new Error("EIO");
  let calls = 0;
  const writeback = new Writeback(
    () => calls++ === 0 ? Promise.reject(failure) : Promise.resolve(),
    { path: "/f", start: 0, step: 4, pageCache: cache },
  );
  writeback.wrote(5);
  await assertRejects(() => writeback.settled(), Error);
  await assertRejects(() => writeback.sync(), Error);
  assertEquals(cache.drops, []);
});

Deno.test("Writeback without a page cache only flushes", async () => {
  let calls = 0;
  const writeback = new Writeback(() => {
    calls++;
    return Promise.resolve();
  }, { path: "/f", start: 0, step: 4, pageCache: null });
  writeback.wrote(3);
  await writeback.sync();
  assertEquals(calls, 1);
});

async function has(command: string): Promise<boolean> {
  try {
    return (await new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

/** Bytes of `path` in the page cache (`fincore`). */
async function cachedBytes(path: string): Promise<number> {
  const out = await new Deno.Command("fincore", {
    args: ["--bytes", "--noheadings", "--output", "RES", path],
  }).output();
  assertOk(out.success, new TextDecoder().decode(out.stderr));
  return Number(new TextDecoder().decode(out.stdout).trim());
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Starts `main.ts` with FFI allowed, writes on, and `extra` flags. */
async function startSluice(root: string, state: string, extra: string[]) {
  return await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(
      ["--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-ffi"],
      [root, "--port", "0", "--quiet", "--upload", "--state", state, ...extra],
    ),
  });
}

Deno.test({
  name:
    "--drop-upload-cache: curl PUT and tus-js-client uploads are byte-exact and leave the page cache",
  ignore: Deno.build.os !== "linux",
  async fn(t) {
    if (!(await has("fincore")) || !(await has("curl"))) {
      console.log("skipped: needs fincore (util-linux) and curl");
      return;
    }
    const data = new Uint8Array(24 * MiB);
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, i + 65536));
    }
    const digest = sha256(data);
    await using dir = await tempDir({});
    await using state = await tempDir({});
    await Deno.writeFile(`${dir.path}/source.bin`, data);
    for (const drop of [false, true]) {
      const flags = drop ? ["--drop-upload-cache"] : [];
      await using server = await startSluice(dir.path, `${state.path}/${drop}`, flags);
      const label = drop ? "with --drop-upload-cache" : "without (control)";
      await t.step(`${label}: curl -T`, async () => {
        const name = `put-${drop}.bin`;
        const curl = await new Deno.Command("curl", {
          args: ["-sS", "-f", "-T", `${dir.path}/source.bin`, server.href(`/${name}`)],
        }).output();
        assertOk(curl.success, new TextDecoder().decode(curl.stderr));
        await checkCache(`${dir.path}/${name}`, drop);
        assertEquals(sha256(await Deno.readFile(`${dir.path}/${name}`)), digest);
      });
      await t.step(`${label}: tus-js-client, aborted and resumed`, async () => {
        const name = `tus-${drop}.bin`;
        const o = {
          endpoint: server.href("/_/uploads/"),
          storage: new MemoryUrlStorage(),
          metadata: { filename: name },
          chunkSize: 8 * MiB,
        };
        await uploadUntil(Buffer.from(data), 0.4, o);
        await resumeUpload(Buffer.from(data), o);
        await checkCache(`${dir.path}/${name}`, drop);
        assertEquals(sha256(await Deno.readFile(`${dir.path}/${name}`)), digest);
      });
    }
  },
});

/**
 * With the flag (almost) nothing of an upload stays cached; without it the
 * upload does. Runs before the file is read back, which caches it again.
 */
async function checkCache(path: string, dropped: boolean): Promise<void> {
  const cached = await cachedBytes(path);
  if (dropped) assertOk(cached <= MiB, `${cached} bytes of ${path} still cached`);
  else assertOk(cached >= 16 * MiB, `control: only ${cached} bytes cached`);
}

Deno.test("main.ts --drop-upload-cache without --allow-ffi exits 2 and says what to allow", async () => {
  await using dir = await tempDir({});
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs(
      ["--allow-read", "--allow-net", "--allow-env"],
      [dir.path, "--port", "0", "--drop-upload-cache"],
    ),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 2, stderr);
  assertMatch(stderr, /^sluice: --drop-upload-cache .*--allow-ffi\n$/);
});
