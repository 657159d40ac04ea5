/**
 * Whether a chmod 000 file is really unreadable for this process: not for
 * root, who reads anything, so permission tests are skipped there.
 */
export const CAN_DENY_READ: boolean = (() => {
  const path = Deno.makeTempFileSync();
  try {
    Deno.chmodSync(path, 0o000);
    Deno.readFileSync(path);
    return false;
  } catch {
    return true;
  } finally {
    Deno.removeSync(path);
  }
})();
