// Reports written without a connection are kept in IndexedDB (with their photos as Blobs) and sent
// when the browser is back online. One store, one record per draft.
const DB = "geoplatform";
const STORE = "report-drafts";

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req?.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Keep a draft: {feature: GeoJSON Feature, photos: [File|Blob]} → its id. */
export function draftSave(draft) {
  return run("readwrite", (store) => store.add({ ...draft, savedAt: new Date().toISOString() }));
}

export function draftList() {
  return run("readonly", (store) => store.getAll());
}

export function draftDelete(id) {
  return run("readwrite", (store) => store.delete(id));
}

/** Send every draft with `send(draft)`; the ones sent are forgotten. Returns how many were sent. */
export async function draftsFlush(send) {
  let sent = 0;
  for (const draft of await draftList()) {
    if (!navigator.onLine) break;
    try {
      await send(draft);
    } catch (error) {
      if (error instanceof TypeError) break; // still no connection: keep it for later
      throw error;
    }
    await draftDelete(draft.id);
    sent += 1;
  }
  return sent;
}
