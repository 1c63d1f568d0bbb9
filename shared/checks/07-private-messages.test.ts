// Stage 07 · Private messages: {"message":"hi","to":"bob"} reaches every connection of bob and
// of its sender, nobody else, and is never stored. The room finds bob's sockets by their tag.
// What a dropped connection does to private messages is checked over real connections, in
// 07-private-messages.sockets.test.ts.
import { describe } from "vitest";
import { env } from "./helpers/target.ts";
import { runInDurableObject } from "cloudflare:test";
import { check, CheckFailure, needs, show } from "./helpers/check.ts";
import { withClock } from "./helpers/clock.ts";
import { evict, join, newRoom, type ChatClient } from "./helpers/chat-client.ts";
import { expectCode, expectEqual, expectTexts } from "./helpers/expect.ts";
import { whileReplaced } from "./helpers/replaced.ts";
import { storedValues, whereStored } from "./helpers/stored.ts";

const SEND_HINT =
  "Read frames with readMessage(data, { privateMessages: true }). A frame with `to` goes to sendPrivately: " +
  'one {"type":"message","name":…,"to":…,"message":…,"timestamp":…,"serverTime":…} frame for every open socket ' +
  "of this.ctx.getWebSockets(to). That finds them only if fetch tagged each socket with its name: " +
  "this.ctx.acceptWebSocket(server, [name]). See TODO(step 7).";
const SENDER_HINT =
  "The sender's other tabs must show what they sent too: send the frame to this.ctx.getWebSockets(from) as well " +
  "as to the recipient's sockets (a Set of the two lists, so nobody gets it twice).";
const ONLY_HINT =
  "A private message goes only to the sockets tagged with the recipient's name and the sender's: not through " +
  "this.broadcast(), which sends to every socket of the room.";
const STORE_HINT =
  "sendPrivately sends and returns: no INSERT. A stored message would be in every newcomer's history, and names " +
  "are not identities here, so it would reach whoever next picks that name.";
const UNKNOWN_HINT =
  'When getWebSockets(to) has no open socket, send the sender {"type":"error","code":"unknown_user","message":…}, its message a sentence of yours ("Nobody called <to> is in this room right now."), ' +
  "not the private text; then nothing else.";
const BAD_TO_HINT =
  "Pass { privateMessages: true } to readMessage: it checks `to` with the rules for names and answers a bad one " +
  "with a bad_message error, as the `if (\"type\" in frame)` line already sends.";
const TAG_HINT =
  "In fetch, accept the socket with its name as a tag: this.ctx.acceptWebSocket(server, [name]). Then " +
  "this.ctx.getWebSockets(name) returns that name's sockets without reading every socket's attachment.";

/** A room with alice and bob (`bobTabs` connections), each told who is here: ready to whisper. */
async function aliceAndBob(bobTabs = 1) {
  const room = newRoom();
  const alice = await join(room, "alice");
  const bobs: ChatClient[] = [];
  for (let i = 0; i < bobTabs; i++) bobs.push(await join(room, "bob"));
  return { room, alice, bobs };
}

/**
 * `client` receives the private message `text`, from `from` to `to`, with nothing missing or
 * extra. When it does not arrive, the failure also shows what came back to the `sender`.
 */
async function expectPrivate(client: ChatClient, from: string, to: string, text: string, whose: string, sender?: ChatClient) {
  const frame = await client.messageWithText(text, `${whose} receives alice's private message ${show(text)}`).catch((error) => {
    if (!(error instanceof CheckFailure) || !sender) throw error;
    throw new CheckFailure(`${whose} receives alice's private message ${show(text)}`, `${error.message.split("Got:      ")[1]}; meanwhile alice received ${sender.summary()}`);
  });
  const { timestamp, serverTime, ...rest } = frame;
  expectEqual(rest, { type: "message", name: from, to, message: text }, `the frame ${whose} receives, without its time fields`);
  if (typeof timestamp !== "number" || typeof serverTime !== "string") {
    throw new CheckFailure("a private message carries timestamp and serverTime, like any message", show(frame));
  }
}

describe("07 · Private messages", () => {
  check('a private message reaches every connection of its recipient, marked with "to"', SEND_HINT, async () => {
    const { alice, bobs } = await aliceAndBob(2);
    alice.sayTo("bob", "psst, bob");
    for (const [i, bob] of bobs.entries()) await expectPrivate(bob, "alice", "bob", "psst, bob", `bob's tab ${i + 1}`, alice);
  });

  check("the sender's own connections get it too", SENDER_HINT, async () => {
    const { room, alice, bobs } = await aliceAndBob();
    const aliceAgain = await join(room, "alice");
    alice.sayTo("bob", "for bob");
    await needs("bob to receive it (the check above)", bobs[0].messageWithText("for bob", "bob receives alice's private message"));
    await expectPrivate(alice, "alice", "bob", "for bob", "the tab alice sent it from");
    await expectPrivate(aliceAgain, "alice", "bob", "for bob", "alice's other tab");
  });

  check("nobody else in the room receives it", ONLY_HINT, async () => {
    const { room, alice, bobs } = await aliceAndBob();
    const carol = await join(room, "carol");
    alice.sayTo("bob", "not for carol");
    await needs("bob to receive it", bobs[0].messageWithText("not for carol", "bob receives alice's private message"));
    await carol.expectNoMore("message", "carol receives no message: it was for bob", 300, 0);
  });

  check("a private message is not stored: it has no id and no newcomer sees it", STORE_HINT, async () => {
    const { room, alice, bobs } = await aliceAndBob();
    alice.say("for everyone");
    await needs("alice's public message to come back", alice.messageWithText("for everyone", "alice's public message comes back"));
    alice.sayTo("bob", "just between us");
    const frame = await needs("bob to receive it", bobs[0].messageWithText("just between us", "bob receives alice's private message"));
    if ("id" in frame) throw new CheckFailure("no id in a private message frame: an id is a stored row's", show(frame));
    const reader = await join(room, "reader");
    const history = await reader.next("history", "a newcomer's history frame");
    expectTexts(history.messages, ["for everyone"], "the history holds the public message only");
    // Names are not identities: whoever picks the name bob next is not bob, and gets nothing of his.
    const nextBob = await join(room, "bob");
    await nextBob.next("users", "whoever picks the name bob next is told who is here");
    await nextBob.quiet();
    const leaked = nextBob.all("history").flatMap((frame) => frame.messages).concat(nextBob.all("message")).find((m) => m.message === "just between us");
    if (leaked) throw new CheckFailure("whoever picks the name bob next gets nothing of alice's private message to bob", `they received ${show(leaked)}`);
    // Not stored at all: a row the history leaves out is still a private message kept on the server.
    const where = whereStored(await storedValues(room), "just between us");
    if (where) throw new CheckFailure("the private message's text nowhere in the room's storage", `it is in ${where}`);
  });

  check("a private message to nobody in the room gets an unknown_user error, and reaches no one", UNKNOWN_HINT, async () => {
    const { room, alice, bobs } = await aliceAndBob();
    const otherTab = await join(room, "alice");
    alice.sayTo("nobody", "hello? anyone at all?");
    const error = await alice.nextError('an {"type":"error","code":"unknown_user",…} frame for alice');
    expectCode(error.code, "unknown_user");
    // An error's message explains the error: the words of the message it refuses are not that.
    if (typeof error.message !== "string" || error.message.includes("anyone at all")) {
      throw new CheckFailure("the unknown_user error's message says that nobody of that name is here, not alice's own words", show(error));
    }
    await bobs[0].expectNoMore("message", "bob receives no message", 300, 0);
    await alice.expectNoMore("message", "alice receives no message either", 300, 0);
    // The error is alice's alone: the others' pages would take it for a refusal of their own.
    const overheard = bobs[0].all("error")[0];
    if (overheard) throw new CheckFailure("the unknown_user error goes to alice alone", `bob received ${show(overheard)}`);
    // And to the tab that sent it: her other tab sent nothing to be refused.
    const elsewhere = otherTab.all("error")[0];
    if (elsewhere) throw new CheckFailure("the unknown_user error goes to the tab alice sent from, not her other tab", `her other tab received ${show(elsewhere)}`);
  });

  check('a "to" that is not a name gets a bad_message error, and the socket stays open', BAD_TO_HINT, async () => {
    const { alice, bobs } = await aliceAndBob();
    const bad: [unknown, string][] = [[42, "a number"], ["", "an empty name"], ["   ", "only spaces"], ["b".repeat(33), "33 characters"], ["bo\u0007b", "a control character"]];
    for (const [to, what] of bad) {
      alice.sayTo(to, "hi");
      const error = await alice.nextError(`a bad_message error for "to" as ${what} (${show(to)})`);
      expectCode(error.code, "bad_message");
    }
    if (!alice.isOpen) throw new CheckFailure("alice's socket stays open", "the server closed it");
    await bobs[0].expectNoMore("message", "bob receives none of them", 300, 0);
  });

  check('"to" is read as names are: trimmed', BAD_TO_HINT, async () => {
    const { alice, bobs } = await aliceAndBob();
    alice.sayTo("  bob ", "trimmed");
    await expectPrivate(bobs[0], "alice", "bob", "trimmed", "bob");
  });

  check("a message to yourself reaches each of your connections once", SENDER_HINT, async () => {
    const room = newRoom();
    const tabs = [await join(room, "alice"), await join(room, "alice")];
    tabs[0].sayTo("alice", "note to self");
    for (const [i, tab] of tabs.entries()) {
      await tab.messageWithText("note to self", `alice's tab ${i + 1} receives her note to herself`);
      await tab.expectNoMore("message", `alice's tab ${i + 1} receives it once, not twice`, 300, 1);
    }
  });

  // The clock stops for the burst, as in stage 06: on a busy laptop the six frames can take more
  // than a second to reach the room, which would rightly give a token back before the sixth.
  check.alone("a private message is stamped like any other: after the room's newest timestamp, serverTime the same instant",
    "Stamp a private message as webSocketMessage stamps every message: with the timestamp it computed before the " +
    "branch, Math.max(Date.now(), this.lastTimestamp + 1), and serverTime = new Date(timestamp).toISOString(), the same " +
    "instant. A fresh Date.now() can equal the last message's, whose time it must follow.", () =>
    withClock(async () => {
      const { alice, bobs: [bob] } = await aliceAndBob(1);
      // The clock stands still: both messages come within one millisecond.
      alice.say("in public");
      const open = await alice.messageWithText("in public", "alice's public message comes back to her");
      alice.sayTo("bob", "in private");
      const secret = await bob.messageWithText("in private", "bob receives alice's private message");
      if (typeof secret.timestamp !== "number" || typeof open.timestamp !== "number" || secret.timestamp <= open.timestamp) {
        throw new CheckFailure(`a timestamp above ${show(open.timestamp)}, the public message's just before it`, show(secret));
      }
      if (secret.serverTime !== new Date(secret.timestamp).toISOString()) {
        throw new CheckFailure(`serverTime ${show(new Date(secret.timestamp).toISOString())}, the instant of its timestamp`, show(secret));
      }
      // And the next message follows the private one: it took its place in the room's order.
      alice.say("in public again");
      const after = await alice.messageWithText("in public again", "alice's next public message comes back to her");
      if (typeof after.timestamp !== "number" || after.timestamp <= secret.timestamp) {
        throw new CheckFailure(`the next public message stamped after the private one, above ${show(secret.timestamp)}`, show(after));
      }
    }),
  );

  check.alone("private messages count against the rate limit", "Keep the token check first in webSocketMessage, before any frame is read: private messages cost a token like any other.", () =>
    withClock(async () => {
      const { alice } = await aliceAndBob();
      for (let i = 1; i <= 6; i++) alice.sayTo("bob", `whisper ${i}`);
      const error = await alice.nextError("a rate_limited error for alice's 6th private message in a burst", "whisper 6");
      expectCode(error.code, "rate_limited");
      // One token each, like any message: the first five all went through.
      for (let i = 1; i <= 5; i++) await alice.messageWithText(`whisper ${i}`, `alice's private message ${i} of the burst comes back to her: it cost one token, like any message`);
    }),
  );

  check("every socket is tagged with its name", TAG_HINT, async () => {
    const { room } = await aliceAndBob(2);
    const tags = await runInDurableObject(env.CHAT.getByName(room), (_instance, state) =>
      state.getWebSockets().map((socket) => ({ name: (socket.deserializeAttachment() as { name: string }).name, tags: state.getTags(socket) })),
    );
    for (const { name, tags: found } of tags) {
      if (!found.includes(name)) throw new CheckFailure(`${name}'s socket has the tag ${show(name)}`, `its tags: ${show(found)}`);
    }
  });

  check("private messages still arrive after the object hibernated", TAG_HINT + " A Map of names to sockets, kept in a field, is empty after hibernation; tags are not.", async () => {
    const { room, alice, bobs } = await aliceAndBob();
    await evict(room);
    alice.sayTo("bob", "after a nap");
    await expectPrivate(bobs[0], "alice", "bob", "after a nap", "bob");
  });

  // Alone: it counts every attachment read in the isolate, and other checks' rooms would add theirs.
  check.alone("a private message finds its recipient by tag, without reading every socket of the room", TAG_HINT +
    " Calling this.ctx.getWebSockets() and keeping the sockets whose attachment holds the name reads every socket of the room for each private message.", async () => {
    // Names of this room alone: reads of other rooms' sockets (their timers, their alarms) do not count.
    const mark = crypto.randomUUID().slice(0, 6);
    const everyone = ["alice", "bob", "carol", "dave", "erin"].map((name) => `${name}-${mark}`);
    const room = newRoom();
    const clients: ChatClient[] = [];
    for (const name of everyone) clients.push(await join(room, name));
    const [alice, bob] = clients;
    await needs("alice to see everyone in the room (stage 05)", alice.expectPresence([...everyone].sort(), `alice sees all ${everyone.length}`));
    let reads = 0;
    await whileReplaced(WebSocket.prototype, {
      deserializeAttachment: (original) => function (this: WebSocket, ...args: unknown[]) {
        const attachment = original.apply(this, args) as { name?: unknown } | null;
        if (typeof attachment?.name === "string" && attachment.name.endsWith(mark)) reads++;
        return attachment;
      },
    }, async () => {
      alice.sayTo(bob.name, "found by tag");
      await expectPrivate(bob, alice.name, bob.name, "found by tag", bob.name);
    });
    if (reads >= everyone.length) {
      throw new CheckFailure(`one private message reads an attachment or two (the sender's), not each of the room's ${everyone.length} sockets`, `${reads} calls to deserializeAttachment()`);
    }
  });
});
