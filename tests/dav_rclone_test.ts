/**
 * rclone's `webdav` backend against a real Sluice: a tree with nested
 * folders, spaces, Unicode names and a 100 MiB file goes up and comes
 * back byte for byte; `moveto`, `delete`, `lsjson` and `about` work.
 */
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startStatefulServer, tempDir } from "./helpers/server.ts";

function hasRclone(): boolean {
  try {
    new Deno.Command("rclone", { args: ["version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

/** Runs rclone with a `sluice:` remote defined by environment variables only. */
async function rclone(url: string, configDir: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("rclone", {
    args: [...args, "--low-level-retries", "1", "--retries", "1"],
    env: {
      RCLONE_CONFIG: `${configDir}/none.conf`,
      RCLONE_CONFIG_SLUICE_TYPE: "webdav",
      RCLONE_CONFIG_SLUICE_URL: url,
      RCLONE_CONFIG_SLUICE_VENDOR: "other",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`rclone ${args.join(" ")} exited ${code}:\n${out}\n${err}`);
  return out;
}

const BIG = 100 * 1024 * 1024;

/**
 * A 100 MiB file that is mostly a hole, with random 64 KiB blocks at the
 * start, in the middle, across a MiB boundary and at the end: cheap to
 * make, and any misplaced or lost byte shows.
 */
async function writeBigFile(path: string): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.truncate(BIG);
  for (const offset of [0, BIG / 2 + 12_345, 3 * 1024 * 1024 - 100, BIG - 65_536]) {
    await file.seek(offset, Deno.SeekMode.Start);
    const block = crypto.getRandomValues(new Uint8Array(65_536));
    for (let written = 0; written < block.length;) {
      written += await file.write(block.subarray(written));
    }
  }
}

/** Every file below `dir` with its size, as sorted `path size` lines. */
function listing(dir: string, prefix = ""): string[] {
  const lines: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) lines.push(`${path}/`, ...listing(`${dir}/${entry.name}`, `${path}/`));
    else lines.push(`${path} ${Deno.statSync(`${dir}/${entry.name}`).size}`);
  }
  return lines.sort();
}

interface LsEntry {
  Path: string;
  Size: number;
  ModTime: string;
  IsDir: boolean;
}

Deno.test({
  name: "rclone webdav: sync up and back, check, moveto, delete, lsjson and about",
  ignore: !hasRclone(),
  async fn(t) {
    await using root = await tempDir();
    await using local = await tempDir({
      "plain.txt": "plain\n",
      "with space/and more space.txt": "spaces\n",
      "ünïcødé/日本語/深い/ファイル.txt": "unicode\n",
      "a/b/c/d/e/deep.txt": "deep\n",
      "empty.txt": "",
    });
    await using back = await tempDir();
    await using config = await tempDir();
    await writeBigFile(`${local.path}/big file.bin`);
    await using server = await startStatefulServer(root.path, { upload: true, davStrict: true });
    const url = server.href("/");
    const run = (...args: string[]) => rclone(url, config.path, ...args);

    await t.step("sync to Sluice, then check finds no differences (bytes compared)", async () => {
      await run("sync", local.path, "sluice:up");
      await run("check", "--download", local.path, "sluice:up");
      assertEquals(listing(`${root.path}/up`), listing(local.path));
    });

    await t.step("sync back from Sluice gives the same tree and bytes", async () => {
      await run("sync", "sluice:up", back.path);
      assertEquals(listing(back.path), listing(local.path));
      await run("check", "--download", local.path, back.path);
    });

    await t.step("lsjson reports the sizes and modification times on disk", async () => {
      const entries = JSON.parse(await run("lsjson", "-R", "sluice:up")) as LsEntry[];
      const files = entries.filter((entry) => !entry.IsDir);
      assertEquals(files.length, 6);
      for (const entry of files) {
        const stat = Deno.statSync(`${root.path}/up/${entry.Path}`);
        assertEquals(entry.Size, stat.size, entry.Path);
        // HTTP dates have whole seconds.
        assertEquals(Date.parse(entry.ModTime), Math.floor(stat.mtime!.getTime() / 1000) * 1000);
      }
      assertEquals(files.find((entry) => entry.Path === "big file.bin")?.Size, BIG);
    });

    await t.step("moveto renames on the server", async () => {
      await run("moveto", "sluice:up/with space/and more space.txt", "sluice:up/moved here.txt");
      assertEquals(await Deno.readTextFile(`${root.path}/up/moved here.txt`), "spaces\n");
      assertEquals(listing(`${root.path}/up/with space`), []);
    });

    await t.step("delete removes files", async () => {
      await run("delete", "sluice:up/a");
      assertEquals(listing(`${root.path}/up/a`).filter((line) => !line.endsWith("/")), []);
    });

    // Sluice reads the disk's space only when Deno allows statfs (`--allow-sys=statfs`).
    const statfs = Deno.permissions.querySync({ name: "sys", kind: "statfs" }).state === "granted";
    await t.step(
      `about reports the quota (RFC 4331)${statfs ? "" : ": none without statfs"}`,
      async () => {
        const about = JSON.parse(await run("about", "--json", "sluice:")) as Record<string, number>;
        if (statfs) assertOk(about.used > 0 && about.free > 0, JSON.stringify(about));
        else assertEquals(about, {});
      },
    );
  },
});

if (!hasRclone()) {
  console.log("dav_rclone_test: rclone is not installed (apt-get install rclone); skipped");
}
