// For stage 04's upgrade check: rooms outlive deploys, so stage 04 code must open a room that
// stage 03's code saved, before messages had timestamps. target.ts serves stage 03's finished
// code once, and this saves a message in a new room; each target is served on a copy.
import { needs } from "../helpers/check.ts";
import { connect, newRoom } from "./connect.ts";

/** The message ann leaves in the room, through stage 03's code. */
export const SAVED_BY_STAGE_03 = "from stage 03";

/** Has ann say SAVED_BY_STAGE_03 in a new room on the server at `origin`; returns the room's name. */
export async function saveRoom(origin: string): Promise<string> {
  const room = newRoom("upgrade");
  const ann = await connect(room, "ann", origin);
  ann.say(SAVED_BY_STAGE_03);
  await needs("stage 03's code to store a message", ann.messageWithText(SAVED_BY_STAGE_03, "ann's message is accepted"));
  await ann.close(1000, "bye");
  return room;
}
