// Everything a room's object has stored, read straight from its storage: every row of every
// SQLite table, and every key and value of the key-value API. For the check that looks for
// secrets kept as they are.
import { env } from "./target.ts";
import { runInDurableObject } from "cloudflare:test";

/** A stored value, as text (a BLOB's bytes one character each) with where it was found: "table owner, column token_hash". */
export type Stored = { where: string; text: string };

export async function storedValues(room: string): Promise<Stored[]> {
  return runInDurableObject(env.CHAT.getByName(room), async (_instance, state) => {
    const found: Stored[] = [];
    const sql = state.storage.sql;
    // The runtime's own tables (_cf_…) and SQLite's cannot be read, and hold nothing of the room's code.
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray()
      .map(({ name }) => name)
      .filter((name) => !name.startsWith("_cf_") && !name.startsWith("sqlite_"));
    for (const table of tables) {
      for (const row of sql.exec(`SELECT * FROM "${table.replaceAll('"', '""')}"`)) {
        for (const [column, value] of Object.entries(row)) collect(found, `table ${table}, column ${column}`, value);
      }
    }
    for (const [key, value] of await state.storage.list()) {
      collect(found, "the keys of the key-value storage", key);
      collect(found, `the key-value storage, key ${JSON.stringify(key)}`, value);
    }
    return found;
  });
}

function collect(found: Stored[], where: string, value: unknown) {
  if (typeof value === "string") found.push({ where, text: value });
  else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    found.push({ where, text: String.fromCharCode(...bytes) });
  } else if (Array.isArray(value)) value.forEach((item) => collect(found, where, item));
  else if (typeof value === "object" && value !== null) Object.values(value).forEach((item) => collect(found, where, item));
}

/**
 * Where `secret` is stored as it is: as text, as its UTF-8 bytes, or merely encoded (base64, hex).
 * A token given out as base64url is also looked for as the bytes it spells, and their encodings.
 */
export function whereStored(values: Stored[], secret: string): string | undefined {
  const forms = [secret, ...encodings(String.fromCharCode(...new TextEncoder().encode(secret)))];
  if (/^[\w-]{16,}$/.test(secret)) {
    try {
      forms.push(...encodings(atob(secret.replaceAll("-", "+").replaceAll("_", "/"))));
    } catch {
      // Not base64url after all: its text and bytes are enough.
    }
  }
  return values.find(({ text }) => forms.some((form) => text.includes(form) || text.toLowerCase().includes(form)))?.where;
}

/** Bytes (one character each) as they are, in base64 (padding left out) and in lowercase hex. */
function encodings(bytes: string): string[] {
  const hex = [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  return [bytes, btoa(bytes).replace(/=+$/, ""), hex];
}
