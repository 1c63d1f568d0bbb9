// Stage 05 · User count: every socket in the room is told who is connected when somebody
// joins, even after the object hibernated. Leaving is checked over real connections, in
// 05-user-count.sockets.test.ts.
import { describe } from "vitest";
import { check } from "./helpers/check.ts";
import { evict, join, newRoom } from "./helpers/chat-client.ts";
import { expectUsers } from "./helpers/expect.ts";

const JOIN_HINT =
  'After accepting a socket, send {"type":"users","count":…,"names":[…]} to every socket. Build the names ' +
  "from this.ctx.getWebSockets() and each socket's deserializeAttachment(). See TODO(step 5).";

describe("05 · User count", () => {
  check("a client that joins is told who is here", JOIN_HINT, async () => {
    const alice = await join(newRoom(), "alice");
    await expectUsers(alice, ["alice"], '{"type":"users","count":1,"names":["alice"]}');
  });

  check("everyone is told when someone joins", JOIN_HINT, async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await join(room, "bob");
    await expectUsers(alice, ["alice", "bob"], 'alice receives {"type":"users","count":2,"names":["alice","bob"]}');
  });

  check("names are distinct and sorted", JOIN_HINT + " Use a Set for distinct names, then sort().", async () => {
    const room = newRoom();
    await join(room, "zoe");
    await join(room, "adam");
    const zoeAgain = await join(room, "zoe");
    await expectUsers(zoeAgain, ["adam", "zoe"], 'count 2 and names ["adam","zoe"] (zoe has two tabs open)');
  });

  check("the list is right after the object hibernates", "Derive the list from this.ctx.getWebSockets() and " +
    "attachments, not from a Map kept in memory: memory is empty after hibernation.", async () => {
    const room = newRoom();
    const alice = await join(room, "alice");
    await expectUsers(alice, ["alice"], "alice sees herself");
    await evict(room);
    const bob = await join(room, "bob");
    await expectUsers(bob, ["alice", "bob"], "after hibernation, bob is told alice is still here");
  });
});
