/**
 * Media fixtures made with ffmpeg while the tests run.
 * @module
 */

function ffmpegPath(): string | null {
  for (const path of ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"]) {
    try {
      Deno.statSync(path);
      return path;
    } catch {
      // try the next one
    }
  }
  return null;
}

/** The ffmpeg binary, or `null` when it is not installed. */
export const FFMPEG: string | null = ffmpegPath();

/**
 * Writes an H.264 MP4 test pattern with `+faststart` (the index first, so a
 * browser can seek after reading the start), `seconds` long, 480p, 25 fps,
 * with a keyframe every second so seeks land close to the target, at a
 * constant 4 Mbit/s.
 */
export async function makeVideo(path: string, seconds: number): Promise<void> {
  if (!FFMPEG) throw new Error("ffmpeg is not installed");
  const { code, stderr } = await new Deno.Command(FFMPEG, {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc=size=854x480:rate=25`,
      "-t",
      String(seconds),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-g",
      "25",
      // A steady 4 Mbit/s (filler data on a simple pattern) makes the file
      // ~30 MB for 60 s: far more than Chromium buffers ahead, so seeking to
      // the middle has to ask the server for a new range.
      "-b:v",
      "4M",
      "-minrate",
      "4M",
      "-maxrate",
      "4M",
      "-bufsize",
      "1M",
      "-x264-params",
      "nal-hrd=cbr",
      "-pix_fmt",
      "yuv420p",
      "-movflags",
      "+faststart",
      "-y",
      path,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(stderr)}`);
}

/**
 * Writes a WAV file of a 440 Hz tone, `seconds` long (uncompressed, so the
 * middle of the file is the middle of the sound).
 */
export async function makeAudio(path: string, seconds: number): Promise<void> {
  if (!FFMPEG) throw new Error("ffmpeg is not installed");
  const { code, stderr } = await new Deno.Command(FFMPEG, {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
      ...["-i", `sine=frequency=440:sample_rate=44100:duration=${seconds}`],
      ...["-ac", "2", "-y", path],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(stderr)}`);
}
