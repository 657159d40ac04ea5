import { startStatefulServer, startTestServer, tempDir } from "./helpers/server.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { hasRedis, startRedis } from "./helpers/redis_server.ts";
import {
  MemoryUrlStorage,
  resumeUpload,
  sha256Hex,
  testBytes,
  type TusOptions,
  uploadUntil,
} from "./helpers/tus_client.ts";
import { RedisStore } from "../src/state/redis_store.ts";

const SIZE = 64 * 1024 * 1024;
const data = testBytes(SIZE);
const expected = sha256Hex(data);

/** The server's offset for an upload, as a resuming client asks for it. */
async function headOffset(url: string, protocol: TusOptions["protocol"]): Promise<number> {
  const headers: Record<string, string> = protocol === "ietf-draft-05"
    ? { "upload-draft-interop-version": "6" }
    : { "tus-resumable": "1.0.0" };
  const res = await fetch(url, { method: "HEAD", headers });
  assertOk(res.ok, `HEAD answered ${res.status}`);
  return Number(res.headers.get("upload-offset"));
}

async function assertStored(root: string, name: string): Promise<void> {
  const stored = await Deno.readFile(`${root}/${name}`);
  assertEquals(stored.length, SIZE);
  assertEquals(sha256Hex(stored), expected);
  const leftovers = [...Deno.readDirSync(root)].filter((e) => e.name.startsWith(".sluice-tus-"));
  assertEquals(leftovers, []);
}

for (const protocol of ["tus-v1", "ietf-draft-05"] as const) {
  Deno.test(`createUpload() with tus-js-client (${protocol}) resumes an upload aborted at half`, async () => {
    await using root = await tempDir();
    await using server = await startStatefulServer(root.path, { upload: true });
    const o: TusOptions = {
      endpoint: server.href("/_/uploads/"),
      storage: new MemoryUrlStorage(),
      metadata: { filename: "big.bin", folder: "/in/" },
      protocol,
    };
    await Deno.mkdir(`${root.path}/in`);
    const url = await uploadUntil(data, 0.5, o);
    const offset = await headOffset(url, protocol);
    assertOk(offset > 0 && offset < SIZE, `offset ${offset} after the abort`);
    assertEquals(await resumeUpload(data, o), url);
    await assertStored(`${root.path}/in`, "big.bin");
  });
}

Deno.test("createUpload() resumes across a restart of Sluice (same state and root)", async () => {
  await using root = await tempDir();
  const stateDir = await Deno.makeTempDir({ prefix: "sluice-state-" });
  try {
    const storage = new MemoryUrlStorage();
    const metadata = { filename: "restart.bin" };
    let url: string;
    {
      await using first = await startStatefulServer(root.path, { upload: true }, stateDir);
      url = await uploadUntil(data, 0.5, {
        endpoint: first.href("/_/uploads/"),
        storage,
        metadata,
      });
      // Settles the aborted append before the server stops.
      assertOk(await headOffset(url, "tus-v1") > 0);
    }
    await using second = await startStatefulServer(root.path, { upload: true }, stateDir);
    // The upload URL names the old port; the path is the same on the new server.
    const moved = second.href(new URL(url).pathname);
    assertOk(await headOffset(moved, "tus-v1") > 0);
    for (const item of await storage.findAllUploads()) item.uploadUrl = moved;
    await resumeUpload(data, { endpoint: second.href("/_/uploads/"), storage, metadata });
    await assertStored(root.path, "restart.bin");
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test({
  name: "createUpload() continues on another instance sharing one Redis",
  ignore: !hasRedis(),
  async fn() {
    await using redis = await startRedis();
    await using root = await tempDir();
    await using a = startTestServer(
      root.path,
      { upload: true },
      await RedisStore.connect(redis.url),
    );
    await using b = startTestServer(
      root.path,
      { upload: true },
      await RedisStore.connect(redis.url),
    );
    const storage = new MemoryUrlStorage();
    const metadata = { filename: "cluster.bin" };
    const url = await uploadUntil(data, 0.5, {
      endpoint: a.href("/_/uploads/"),
      storage,
      metadata,
    });
    const onB = b.href(new URL(url).pathname);
    assertOk(await headOffset(onB, "tus-v1") > 0);
    for (const item of await storage.findAllUploads()) item.uploadUrl = onB;
    await resumeUpload(data, { endpoint: b.href("/_/uploads/"), storage, metadata });
    await assertStored(root.path, "cluster.bin");
  },
});
if (!hasRedis()) console.log("skipped the Redis cluster test: redis-server is not installed");
