// The files a person hands to an upload page, by drop or by file picker,
// each with the path it goes to: shared by the listing's upload panel
// (upload.js) and the drop-box page (dropbox.js).

/**
 * Whether a file found inside a dropped or chosen folder is uploaded: not
 * when any part of its path is a dot-entry (`.git/`, `.DS_Store`), which
 * this server hides.
 * @param {string} path
 * @returns {boolean}
 */
export function isUploadable(path) {
  return !path.split("/").some((segment) => segment.startsWith("."));
}

/**
 * The files of a file input, each at its name, or at its path from the
 * chosen folder's parent for a folder input (`webkitdirectory`).
 * @param {HTMLInputElement} input
 * @returns {{ file: File, path: string }[]}
 */
export function chosenFiles(input) {
  return [...input.files ?? []].map((file) => ({
    file,
    path: input.webkitdirectory ? file.webkitRelativePath : file.name,
  }));
}

/**
 * Every file of a drop, dropped folders walked to the bottom, each with its
 * path from the dropped item's parent. Call it in the `drop` handler before
 * any `await`: the browser empties the item list after the event.
 * @param {DataTransfer} dataTransfer
 * @returns {Promise<{ file: File, path: string }[]>}
 */
export async function droppedFiles(dataTransfer) {
  const items = [...dataTransfer.items].map((item) => ({
    entry: item.webkitGetAsEntry?.(),
    file: item.getAsFile(),
  }));
  /** @type {{ file: File, path: string }[]} */
  const files = [];
  for (const { entry, file } of items) {
    if (entry?.isDirectory) {
      files.push(...await filesIn(/** @type {FileSystemDirectoryEntry} */ (entry)));
    } else if (file) {
      files.push({ file, path: file.name });
    }
  }
  return files;
}

/**
 * Every file under a dropped folder, with its path from the folder's parent.
 * @param {FileSystemDirectoryEntry} dir
 * @returns {Promise<{ file: File, path: string }[]>}
 */
async function filesIn(dir) {
  /** @type {{ file: File, path: string }[]} */
  const found = [];
  const reader = dir.createReader();
  /** @type {FileSystemEntry[]} */
  let batch;
  do {
    batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    for (const entry of batch) {
      if (entry.isDirectory) {
        found.push(...await filesIn(/** @type {FileSystemDirectoryEntry} */ (entry)));
      } else {
        const file = await new Promise((resolve, reject) =>
          /** @type {FileSystemFileEntry} */ (entry).file(resolve, reject)
        );
        found.push({ file, path: entry.fullPath.replace(/^\//, "") });
      }
    }
  } while (batch.length > 0);
  return found;
}
