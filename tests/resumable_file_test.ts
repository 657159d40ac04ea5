/**
 * `ResumableFile.append` on a real temp file: bodies many background-flush
 * steps long land byte for byte, a broken body keeps what arrived, and
 * bytes past the offset (a crashed writer's) are cut off first.
 */
import { join } from "node:path";
import { uploadBatches } from "../src/fs/buffer_pool.ts";
import { ResumableFile } from "../src/fs/resumable_file.ts";
import { assertEquals } from "./helpers/assert.ts";

const MiB = 1024 * 1024;

/** `length` bytes where byte i is `(i * 7 + seed) % 251`. */
function pattern(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed) % 251;
  return bytes;
}

/** `bytes` in chunks of `size` (the last one shorter), then `end` (close or a failure). */
function chunked(bytes: Uint8Array, size: number, fail?: Error): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        if (fail) controller.error(fail);
        else controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function withFile(fn: (file: ResumableFile) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sluice-resumable-file-" });
  try {
    const file = new ResumableFile(join(dir, ".sluice-tus-test"));
    await file.create();
    await fn(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ResumableFile.append() stores a body many flush steps long byte for byte", async () => {
  await withFile(async (file) => {
    const first = pattern(3 * MiB + 5, 1);
    const second = pattern(21 * MiB + 3, 2);
    const one = await file.append(0, chunked(first, 64 * 1024 + 1), { maxBytes: 64 * MiB });
    assertEquals(one, { written: first.length, cause: null });
    const two = await file.append(first.length, chunked(second, MiB + 7), {
      maxBytes: 64 * MiB,
    });
    assertEquals(two, { written: second.length, cause: null });
    const stored = await Deno.readFile(file.path);
    assertEquals(stored.length, first.length + second.length);
    assertEquals(stored.subarray(0, first.length), first);
    assertEquals(stored.subarray(first.length), second);
  });
});

Deno.test("ResumableFile.append() keeps what arrived of a body that breaks off", async () => {
  await withFile(async (file) => {
    const sent = pattern(9 * MiB + 11, 3);
    const broken = new Error("connection reset");
    const result = await file.append(0, chunked(sent, 100_000, broken), { maxBytes: 64 * MiB });
    assertEquals(result, { written: sent.length, cause: broken });
    assertEquals(await Deno.readFile(file.path), sent);
  });
});

Deno.test("ResumableFile.append() cuts off bytes past its offset before writing", async () => {
  await withFile(async (file) => {
    const kept = pattern(5 * MiB, 4);
    await file.append(0, chunked(kept, MiB), { maxBytes: 64 * MiB });
    // A crashed writer's unacknowledged tail, past the offset the next append names.
    await file.append(kept.length, chunked(pattern(3 * MiB, 5), MiB), { maxBytes: 64 * MiB });
    const next = pattern(6 * MiB + 1, 6);
    const result = await file.append(kept.length, chunked(next, MiB), { maxBytes: 64 * MiB });
    assertEquals(result.written, next.length);
    const stored = await Deno.readFile(file.path);
    assertEquals(stored.length, kept.length + next.length);
    assertEquals(stored.subarray(kept.length), next);
  });
});

Deno.test("ResumableFile.append() borrows one batch from the upload pool, and works without one", async () => {
  await withFile(async (file) => {
    const body = pattern(3 * MiB + 5);
    // A paused body: the append holds its batch while it waits.
    let resume = () => {};
    const paused = new Promise<void>((resolve) => resume = resolve);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === MiB) await paused;
        if (sent >= body.length) return controller.close();
        controller.enqueue(body.slice(sent, sent + 64 * 1024));
        sent += 64 * 1024;
      },
    });
    const before = uploadBatches.lent;
    const appending = file.append(0, stream, { maxBytes: body.length });
    while (sent < MiB) await new Promise((resolve) => setTimeout(resolve, 1));
    assertEquals(uploadBatches.lent, before + 1, "one batch while paused");
    resume();
    assertEquals((await appending).written, body.length);
    assertEquals(uploadBatches.lent, before, "the batch went back");

    // Every batch lent elsewhere: the append writes each chunk as it comes.
    const taken = [];
    for (let b = uploadBatches.take(); b !== null; b = uploadBatches.take()) taken.push(b);
    try {
      const more = pattern(MiB + 3, 9);
      const result = await file.append(body.length, chunked(more, 100_000), {
        maxBytes: more.length,
      });
      assertEquals(result.written, more.length);
      const stored = await Deno.readFile(file.path);
      assertEquals(stored.subarray(body.length), more);
      assertEquals(stored.subarray(0, body.length), body);
    } finally {
      for (const buffer of taken) uploadBatches.give(buffer);
    }
  });
});
