/**
 * Crash safety: `kill -9` in the middle of 20 concurrent uploads loses no
 * acknowledged upload and shows no partial file, and the next start sweeps
 * the temp files the crash left behind.
 */
import { join } from "node:path";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { startUpload } from "./helpers/raw_http.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";
import { TEMP_PREFIX } from "../src/path/decode_path.ts";

const UPLOADS = 20;
const SIZE = 3 * 1024 * 1024;

function startUploads(root: string, state: string) {
  return spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(
      ["--allow-read", "--allow-write", "--allow-net"],
      [root, "--port", "0", "--quiet", "--upload", "--state", state, "--stale-temp-age", "0"],
    ),
    env: { NO_COLOR: "1" },
  });
}

/** The new content of file `i`: a recognisable pattern, `SIZE` bytes. */
function newContent(i: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(SIZE).fill(65 + i);
}

async function tempsUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(TEMP_PREFIX)) found.push(entry.name);
    if (entry.isDirectory) found.push(...await tempsUnder(join(dir, entry.name)));
  }
  return found;
}

Deno.test(
  "sweepTemps() after kill -9 during 20 uploads: old or complete new files, no temp files",
  async () => {
    const files = Object.fromEntries(
      Array.from({ length: UPLOADS }, (_, i) => [`d/f${i}.bin`, `old ${i}`]),
    );
    await using dir = await tempDir(files);
    await using stateDir = await tempDir();
    const sluice = await startUploads(dir.path, stateDir.path);
    try {
      // Half finish and are acknowledged; the other half are cut off mid-body.
      const acknowledged = Array.from({ length: UPLOADS / 2 }, (_, i) => i);
      const cutOff = Array.from({ length: UPLOADS / 2 }, (_, i) => i + UPLOADS / 2);
      const running = await Promise.all(cutOff.map(async (i) => {
        const conn = await startUpload(sluice.url, "PUT", `/d/f${i}.bin`, {
          "content-length": String(SIZE),
        });
        await conn.write(newContent(i).subarray(0, SIZE / 2));
        return conn;
      }));
      const answers = await Promise.all(
        acknowledged.map((i) =>
          fetch(sluice.href(`/d/f${i}.bin`), { method: "PUT", body: newContent(i) })
        ),
      );
      for (const res of answers) {
        await res.body?.cancel();
        assertOk(res.status === 201 || res.status === 204, `upload answered ${res.status}`);
      }
      assertOk((await tempsUnder(dir.path)).length > 0, "the cut-off uploads have temp files");
      sluice.child.kill("SIGKILL");
      await sluice.child.status;
      for (const conn of running) conn.close();
    } finally {
      await sluice.stop();
    }

    await using restarted = await startUploads(dir.path, stateDir.path);
    // The sweep runs in the background after the start line: wait for it.
    await deadline(
      (async () => {
        while ((await tempsUnder(dir.path)).length > 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      "the sweep of temp files",
    );
    for (let i = 0; i < UPLOADS; i++) {
      const res = await fetch(restarted.href(`/d/f${i}.bin`));
      const body = new Uint8Array(await res.arrayBuffer());
      const old = new TextDecoder().decode(body) === `old ${i}`;
      const complete = body.length === SIZE && body.every((b) => b === 65 + i);
      if (i < UPLOADS / 2) assertOk(complete, `acknowledged upload ${i} is complete`);
      else assertOk(old || complete, `file ${i} is its old content or a complete new one`);
    }
    const listing = await (await fetch(restarted.href("/d/"), {
      headers: { accept: "application/json" },
    })).json();
    assertEquals(listing.length ?? listing.entries?.length, UPLOADS);
  },
);
