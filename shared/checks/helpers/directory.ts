// Reading the room directory (stage 08), GET /api/rooms, in workerd and over real connections.
import type { RoomEntry } from "../../protocol.ts";
import { CheckFailure, PATIENCE, show } from "./check.ts";
import { loggedNote, loggedSince, logMark } from "./logged.ts";

/**
 * How long (ms) the directory may lag a join or a leave: the guide promises 2 s. The kit's own
 * proof, on a loaded machine, gives it as much more as it gives every wait (PATIENCE).
 */
export const LISTED_MS = 2000 * PATIENCE;

/**
 * The label of the checks' rooms: "0" sorts before the letters other checks' rooms start with,
 * so a room of one stays among the 100 listed however many rooms earlier checks left open.
 */
export const ROOM_LABEL = "0dir";

/** How a check sends a request: to the Worker in workerd, or to the served origin. */
type Get = (path: string) => Promise<Response>;

export function directoryAt(get: Get) {
  /** The rooms GET /api/rooms lists, or a failure that says what came instead. */
  async function directory(): Promise<RoomEntry[]> {
    const mark = logMark();
    const response = await get("/api/rooms");
    const text = await response.text();
    if (response.status !== 200) throw new CheckFailure("GET /api/rooms answers 200", `status ${response.status} with ${show(text)}${loggedNote(loggedSince(mark))}`);
    const type = response.headers.get("Content-Type") ?? "";
    if (!type.startsWith("application/json")) throw new CheckFailure("GET /api/rooms answers with Content-Type: application/json", type ? `Content-Type: ${type}` : "no Content-Type header");
    try {
      const { rooms } = JSON.parse(text) as { rooms: RoomEntry[] };
      if (Array.isArray(rooms)) return rooms;
    } catch {
      // Said below.
    }
    throw new CheckFailure('GET /api/rooms answers {"rooms":[…]}', show(text));
  }

  /** Waits up to `ms` until `room` is listed with `online` people (0: not listed at all). */
  async function listed(room: string, online: number, what: string, ms = LISTED_MS): Promise<void> {
    const deadline = performance.now() + ms;
    for (;;) {
      const entry = (await directory()).find(({ name }) => name === room);
      if (online === 0 ? entry === undefined : entry?.online === online) return;
      if (performance.now() >= deadline) {
        const expected = online === 0 ? `${what}: not listed` : `${what}: listed as ${show({ name: room, online })}`;
        throw new CheckFailure(`${expected}${ms > 0 ? ` within ${ms / 1000} s` : ""}`, entry ? `listed as ${show(entry)}` : "not listed");
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return { directory, listed };
}
