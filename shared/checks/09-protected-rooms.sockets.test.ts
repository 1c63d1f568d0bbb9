// Stage 09 · Protected rooms, over real connections: what a browser sees when the owner deletes
// the room it is in, the directory when a browser does not answer that close, and a browser
// that a protected room refuses. The close frame is read as it arrives (sockets/raw-socket.ts):
// Node's WebSocket reports a close only once TCP ends.
import { describe } from "vitest";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { directoryAt, ROOM_LABEL } from "./helpers/directory.ts";
import { got, PASSWORD, roomsApiAt } from "./helpers/rooms-api.ts";
import { newRoom, rawJoin, rawRefusal } from "./sockets/connect.ts";
import { served } from "./sockets/target.ts";

const DELETE_HINT =
  "remove(ownerToken): once the token is right, close every socket, ws.close(4004, \"This room was deleted by its " +
  "owner.\") for each of this.ctx.getWebSockets(), before erasing the room: from the code a browser learns that the " +
  "room is gone, and from the reason what happened.";
const GATE_HINT =
  "The answer to the handshake is the refusal: in the room's fetch, before new WebSocketPair(), return " +
  "jsonError(401, …) when the ticket is missing or not valid. A socket accepted and then closed was open, if only " +
  "for a moment, and reads to a browser like a dropped connection, not like a room that wants a password.";
const LEFT_HINT =
  "After erasing the room, tell the lobby (await this.tellLobby()): the sockets you closed are no longer OPEN, so " +
  "onlineNames().size is 0 and setOnline deletes the room's line. Waiting for each browser to answer the close " +
  "frame (webSocketClose) leaves the room listed for as long as one does not.";

const DELETED_CODE = 4004;
const DELETED_REASON = "This room was deleted by its owner.";
/** How long (ms) a socket may take to receive the close frame, on a busy laptop. */
const CLOSE_MS = 3000;

const api = roomsApiAt((path, init) => fetch(`${served().origin}${path}`, init));
const { listed } = directoryAt((path) => fetch(`${served().origin}${path}`));
const created = (room: string, password?: string) =>
  needs("POST /api/rooms to create a room (the checks in workerd)", api.createRoom(room, password));
const ticketed = (room: string) => needs("the right password to get a ticket (the checks in workerd)", api.ticketFor(room));

describe("09 · Protected rooms (real connections)", () => {
  check(`deleting a room closes every open socket with code ${DELETED_CODE} and the reason`, DELETE_HINT, async () => {
    const room = newRoom();
    const token = await created(room, PASSWORD);
    const sockets = [];
    for (const name of ["alice", "bob"]) sockets.push(await needs(`${name} to join with a ticket`, rawJoin(room, name, await ticketed(room))));
    const answer = await api.deleteRoom(room, token);
    if (answer.status !== 204) throw new CheckFailure(`DELETE /api/rooms/${room} with its owner token: 204`, got(answer));
    for (const [i, socket] of sockets.entries()) {
      const frame = await socket.closeFrame(CLOSE_MS);
      socket.end("fin");
      if (frame?.code !== DELETED_CODE || frame.reason !== DELETED_REASON) {
        throw new CheckFailure(
          `${["alice", "bob"][i]} receives a close frame with code ${DELETED_CODE} and reason ${show(DELETED_REASON)} within ${CLOSE_MS / 1000} s`,
          frame ? `code ${frame.code} and reason ${show(frame.reason)}` : "no close frame",
        );
      }
    }
  });

  check("a deleted room leaves the directory within 2 s, even while a browser has not answered the close", LEFT_HINT, async () => {
    const room = newRoom(ROOM_LABEL);
    const token = await created(room, PASSWORD);
    // alice's connection reads the close frame and never answers it: a laptop whose lid just shut.
    const alice = await needs("alice to join with a ticket", rawJoin(room, "alice", await ticketed(room)));
    await listed(room, 1, "the room with alice");
    const answer = await api.deleteRoom(room, token);
    if (answer.status !== 204) throw new CheckFailure(`DELETE /api/rooms/${room} with its owner token: 204`, got(answer));
    try {
      await listed(room, 0, "the room, once its owner deleted it");
    } finally {
      alice.end("fin");
    }
  });

  check("a browser's handshake without a ticket gets 401, not an open socket", GATE_HINT, async () => {
    const room = newRoom();
    await created(room, PASSWORD);
    const refusal = await rawRefusal(room, "mallory");
    if (!refusal?.startsWith("HTTP/1.1 401")) {
      throw new CheckFailure("the handshake for a protected room, without a ticket, answered HTTP/1.1 401", refusal ? show(refusal) : "HTTP/1.1 101: the socket was opened");
    }
  });
});
