/**
 * The files the benchmark serves, written once into a temporary folder,
 * and the page-cache warm-up that must run right before each phase.
 *
 * @module
 */
import { join } from "node:path";

/** Names and sizes of the generated files. */
export interface DataSizes {
  small: number;
  medium: number;
  big: number;
  slow: number;
}

/** Full-size data: 1 KiB, 64 KiB, 1 GiB and 100 MiB. */
export const FULL_SIZES: DataSizes = {
  small: 1024,
  medium: 64 * 1024,
  big: 1024 ** 3,
  slow: 100 * 1024 ** 2,
};

/** `--quick` data: the big files shrunk so a run takes about a minute. */
export const QUICK_SIZES: DataSizes = {
  small: 1024,
  medium: 64 * 1024,
  big: 256 * 1024 ** 2,
  slow: 32 * 1024 ** 2,
};

/** The served folder and the URL path of each file. */
export interface BenchData extends AsyncDisposable {
  root: string;
  sizes: DataSizes;
  paths: Record<keyof DataSizes, string>;
  /** Absolute file path of a URL path. */
  file(urlPath: string): string;
}

/** Writes `size` random bytes to `path` in 64 KiB chunks. */
async function writeRandom(path: string, size: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const block = new Uint8Array(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    for (let i = 0; i < block.length; i += 65536) {
      crypto.getRandomValues(block.subarray(i, i + 65536));
    }
    const n = Math.min(block.length, size - written);
    let offset = 0;
    while (offset < n) offset += await file.write(block.subarray(offset, n));
  }
}

/** Creates the served folder with random files of `sizes`. */
export async function createBenchData(
  sizes: DataSizes,
  progress: (line: string) => void,
): Promise<BenchData> {
  const root = await Deno.makeTempDir({ prefix: "sluice-bench-data-" });
  const paths = {
    small: "/small-1k.bin",
    medium: "/medium-64k.bin",
    big: "/big.bin",
    slow: "/slow.bin",
  };
  for (const key of Object.keys(paths) as (keyof DataSizes)[]) {
    progress(`writing ${paths[key]} (${sizes[key]} bytes)`);
    await writeRandom(join(root, paths[key]), sizes[key]);
  }
  return {
    root,
    sizes,
    paths,
    file: (urlPath: string) => join(root, urlPath),
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/**
 * Reads a file to the end so its pages are cached: idle pages are reclaimed
 * after about a minute on our VMs (see docs/perf-notes.md), which would turn a
 * range benchmark into a disk benchmark.
 */
export async function warmPageCache(path: string): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(1024 * 1024);
  while (await file.read(buffer) !== null) { /* reading is the point */ }
}

/** Reads `length` bytes at `start` of `path`, for byte-exact checks. */
export async function readSlice(path: string, start: number, length: number): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  await file.seek(start, Deno.SeekMode.Start);
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(out.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return out.subarray(0, filled);
}
