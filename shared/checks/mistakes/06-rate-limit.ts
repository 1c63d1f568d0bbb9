import type { Mistake } from "./mistake.ts";

const REFILL = "const refill = Math.max(0, now - bucket.refilledAt) / REFILL_MS;";
const TAKE = "const waitMs = this.takeToken(sender.name, Date.now());";
const LENGTH = 'const length = typeof data === "string" ? data.length : data.byteLength;';
const TOO_BIG = "if (length > MAX_FRAME_LENGTH) return ws.close(1009, `Frames may be at most ${MAX_FRAME_LENGTH} long.`);";
const PARSE = '    const frame = readMessage(data);\n    if ("type" in frame) return send(ws, frame);\n';

export const mistakes: Mistake[] = [
  {
    did: "forgets every bucket that earned a token back, not only the full ones: a newcomer gives the others a fresh burst",
    patch: [["if (now - refilledAt >= BURST * REFILL_MS) this.buckets.delete(other);", "if (now - refilledAt >= REFILL_MS) this.buckets.delete(other);"]],
    fails: "a newcomer's first message gives nobody a fresh burst: only full buckets are forgotten",
    says: "once bob's first message went through",
  },
  {
    did: "keeps whole tokens and moves refilledAt by whole seconds only: with the clock 10 s back, retryAfterMs says 11 s",
    patch: [[
      "    const refill = Math.max(0, now - bucket.refilledAt) / REFILL_MS;\n    bucket.tokens = Math.min(BURST, bucket.tokens + refill);\n    bucket.refilledAt = now;\n    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) * REFILL_MS);\n",
      "    const earned = Math.floor((now - bucket.refilledAt) / REFILL_MS);\n    if (earned > 0) {\n      bucket.tokens = Math.min(BURST, bucket.tokens + earned);\n      bucket.refilledAt += earned * REFILL_MS;\n    }\n    if (bucket.tokens < 1) return REFILL_MS - (now - bucket.refilledAt);\n",
    ]],
    fails: "after the clock went back, waiting retryAfterMs is enough",
    says: "retryAfterMs from 1 to 1000 with the clock 10 s back",
  },
  {
    did: "takes a token for every frame but never refuses one when the bucket is empty",
    patch: [["    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) * REFILL_MS);\n", ""]],
    fails: "the 6th message of a burst gets a rate_limited error with retryAfterMs",
    says: "came back to alice as a message: it was accepted, not refused",
  },
  {
    did: "stores and broadcasts the refused message anyway (no return after the error)",
    patch: [["    if (waitMs > 0) {\n      return send(ws, {", "    if (waitMs > 0) {\n      send(ws, {"]],
    fails: "a rate-limited message is neither broadcast nor stored",
    says: "bob does not receive the 6th message",
  },
  {
    did: "keeps a bucket per connection, so reconnecting refills it",
    patch: [[TAKE, "const waitMs = this.takeToken(ws as unknown as string, Date.now());"]],
    fails: "reconnecting does not refill the bucket",
    says: "sent on a new connection",
  },
  {
    did: "keeps one bucket for the whole room",
    patch: [[TAKE, 'const waitMs = this.takeToken("room", Date.now());']],
    fails: "every client sees every message in the same order",
    says: "rate_limited",
  },
  {
    did: "charges only valid messages: invalid frames are parsed and answered for free",
    patch: [
      [PARSE, ""],
      ["    const sender = ws.deserializeAttachment() as Attachment;\n", `${PARSE}    const sender = ws.deserializeAttachment() as Attachment;\n`],
    ],
    fails: "invalid frames cost a token too",
    says: "a rate_limited error for the message after 5 invalid frames",
  },
  {
    did: "takes the token for every frame but answers a bad frame before the limit: with an empty bucket, garbage is still parsed and answered",
    patch: [
      [PARSE, ""],
      [`    ${TAKE}\n`, `    const frame = readMessage(data);\n    ${TAKE}\n    if ("type" in frame) return send(ws, frame);\n`],
    ],
    fails: "invalid frames cost a token too",
    says: "sent with the bucket empty",
  },
  {
    did: "has no size check: a huge frame is parsed, then refused as too_long",
    patch: [[`    ${TOO_BIG}\n`, ""]],
    fails: "a frame over the limit is not read: nobody receives what it says, and nothing is stored",
    says: "it is closed, not read",
  },
  {
    did: "closes a frame over the limit but goes on reading it (no return after ws.close)",
    patch: [["if (length > MAX_FRAME_LENGTH) return ws.close(1009, `Frames may be at most ${MAX_FRAME_LENGTH} long.`);", "if (length > MAX_FRAME_LENGTH) ws.close(1009, `Frames may be at most ${MAX_FRAME_LENGTH} long.`);"]],
    fails: "a frame over the limit is not read: nobody receives what it says, and nothing is stored",
    says: "Return right after ws.close(1009",
  },
  {
    did: "closes a frame of exactly MAX_FRAME_LENGTH too (>= instead of >)",
    patch: [["if (length > MAX_FRAME_LENGTH)", "if (length >= MAX_FRAME_LENGTH)"]],
    fails: "a frame of exactly 16384 characters is answered, not closed",
    says: "a too_long error for a frame of exactly 16384 characters",
  },
  {
    did: "takes the token before measuring the frame: a huge frame from an empty bucket is refused, not closed",
    patch: [
      [`    ${TOO_BIG}\n`, ""],
      ["    const frame = readMessage(data);\n", `    ${TOO_BIG}\n    const frame = readMessage(data);\n`],
    ],
    fails: "a frame over the limit is closed with 1009 even when the bucket is empty",
    says: "right after a burst of 5 (no token left)",
  },
  {
    did: "measures data.length only, which a binary frame does not have",
    patch: [[LENGTH, "const length = (data as string).length;"]],
    fails: "binary frames over the limit are closed with 1009 too",
    says: "code 1009",
  },
  {
    did: "leaves retryAfterMs out of the error",
    patch: [["        retryAfterMs: waitMs,\n", ""]],
    fails: "the 6th message of a burst gets a rate_limited error with retryAfterMs",
    says: "retryAfterMs: a whole number of milliseconds",
  },
  {
    did: "sends retryAfterMs in seconds",
    patch: [["retryAfterMs: waitMs,", "retryAfterMs: Math.ceil(waitMs / 1000),"]],
    fails: "after waiting retryAfterMs, sending works again",
    says: "the one sent 1 ms after the error",
  },
  {
    did: "refills the milliseconds that passed as tokens (no / REFILL_MS): a token every millisecond",
    patch: [[REFILL, "const refill = Math.max(0, now - bucket.refilledAt);"]],
    fails: "a token comes back after 1000 ms, not sooner, and retryAfterMs is the time left",
    says: "it was accepted, not refused",
  },
  {
    did: "refills whole tokens only and restarts the second at each one, so the part of a second already waited is lost",
    patch: [[`    const refill = Math.max(0, now - bucket.refilledAt) / REFILL_MS;
    bucket.tokens = Math.min(BURST, bucket.tokens + refill);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) * REFILL_MS);
`, `    const refill = Math.floor(Math.max(0, now - bucket.refilledAt) / REFILL_MS);
    if (refill > 0) {
      bucket.tokens = Math.min(BURST, bucket.tokens + refill);
      bucket.refilledAt = now;
    }
    if (bucket.tokens < 1) return REFILL_MS - (now - bucket.refilledAt);
`]],
    fails: "part of a second counts: 1.5 s, then 0.5 s more, bring two tokens back",
    says: "half a token",
  },
  {
    did: "broadcasts to every listed socket, closing ones too (no readyState test): send() throws on one the room closed",
    patch: [["if (ws.readyState === WebSocket.OPEN) ws.send(text);", "ws.send(text);"]],
    fails: "a socket closed with 1009 whose client never answers stops nobody else's messages",
    says: "message, sent while bob's socket is closing",
  },
  {
    did: "refuses only when no token at all is left (tokens <= 0), so 0.7 of a token lets a message through",
    patch: [["if (bucket.tokens < 1) return", "if (bucket.tokens <= 0) return"]],
    fails: "a token comes back after 1000 ms, not sooner, and retryAfterMs is the time left",
    says: "it was accepted, not refused",
  },
  {
    did: "sends retryAfterMs unrounded: 300.00000000000006 ms, not a whole number",
    patch: [["return Math.ceil((1 - bucket.tokens) * REFILL_MS);", "return (1 - bucket.tokens) * REFILL_MS;"]],
    fails: "a token comes back after 1000 ms, not sooner, and retryAfterMs is the time left",
    says: "300.00000000000006",
  },
  {
    did: "always answers retryAfterMs 1000, however much of a token has come back",
    patch: [["return Math.ceil((1 - bucket.tokens) * REFILL_MS);", "return REFILL_MS;"]],
    fails: "a token comes back after 1000 ms, not sooner, and retryAfterMs is the time left",
    says: "retryAfterMs 300, a whole number of milliseconds (700 ms after the burst",
  },
  {
    did: "refills every bucket with setInterval instead of from the time passed",
    patch: [
      [REFILL, "const refill = 0;"],
      [
        "    super(ctx, env);\n",
        "    super(ctx, env);\n    setInterval(() => {\n      for (const bucket of this.buckets.values()) bucket.tokens = Math.min(BURST, bucket.tokens + 1);\n    }, REFILL_MS);\n",
      ],
    ],
    fails: "everyone still receives messages after the object hibernates",
    says: "a timer (setInterval, setTimeout)",
  },
  {
    did: "does not cap the refill at 5 tokens",
    patch: [["bucket.tokens = Math.min(BURST, bucket.tokens + refill);", "bucket.tokens += refill;"]],
    fails: "an idle bucket refills to 5 tokens, never more",
    says: "the bucket holds 5 token(s) then",
  },
  {
    did: "caps what a refill adds instead of the bucket: tokens += Math.min(BURST, refill), so 4 tokens and a quiet minute make 9",
    patch: [["bucket.tokens = Math.min(BURST, bucket.tokens + refill);", "bucket.tokens += Math.min(BURST, refill);"]],
    fails: "an idle bucket refills to 5 tokens, never more",
    says: "a minute after bob's one message, with 4 tokens left then",
  },
  {
    did: "also forgets the buckets of names no longer online, so leaving and coming back after a newcomer spoke gives a fresh burst",
    patch: [["if (now - refilledAt >= BURST * REFILL_MS) this.buckets.delete(other);", "if (now - refilledAt >= BURST * REFILL_MS || !this.onlineNames().has(other)) this.buckets.delete(other);"]],
    fails: "a name that left with an empty bucket finds it empty on its return, even after a newcomer spoke",
    says: '"back again" came back to alice as a message: it was accepted, not refused',
  },
  {
    did: "answers a binary frame with bad_message before taking a token, so a flood of binary frames is never limited",
    patch: [["    const sender = ws.deserializeAttachment() as Attachment;\n", '    if (typeof data !== "string") return send(ws, { type: "error", code: "bad_message", message: "Send text." });\n    const sender = ws.deserializeAttachment() as Attachment;\n']],
    fails: "invalid frames cost a token too",
    says: '"hello" came back to alice as a message: it was accepted, not refused',
  },
  {
    did: "refills by now - refilledAt even when the clock went back (a negative refill)",
    patch: [[REFILL, "const refill = (now - bucket.refilledAt) / REFILL_MS;"]],
    fails: "a clock that goes back neither drains nor overfills the bucket",
    says: "with the clock 10 s behind",
  },
  {
    did: "refills only when the clock moved forward, so after it went back no token comes until it passes the old time again",
    patch: [[`    const refill = Math.max(0, now - bucket.refilledAt) / REFILL_MS;
    bucket.tokens = Math.min(BURST, bucket.tokens + refill);
    bucket.refilledAt = now;
`, `    if (now > bucket.refilledAt) {
      bucket.tokens = Math.min(BURST, bucket.tokens + (now - bucket.refilledAt) / REFILL_MS);
      bucket.refilledAt = now;
    }
`]],
    fails: "after the clock went back, waiting retryAfterMs is enough",
    says: "with the clock 10 s back",
  },
  {
    did: "lets messages through without a token while the clock is behind",
    patch: [[REFILL, "if (now < bucket.refilledAt) return 0;\n    const refill = (now - bucket.refilledAt) / REFILL_MS;"]],
    fails: "a clock that goes back neither drains nor overfills the bucket",
    says: "a rate_limited error for message 5 of 5 sent with the clock 10 s behind",
  },
  {
    did: "closes the socket after a too_long error as well as for a frame over the limit, so a long paste disconnects its writer",
    patch: [[PARSE, '    const frame = readMessage(data);\n    if ("type" in frame) {\n      send(ws, frame);\n      if (frame.code === "too_long") ws.close(1009, "Too long.");\n      return;\n    }\n']],
    fails: "a message over 1000 characters gets a too_long error and is not echoed",
    says: "the socket stays open after the too_long error",
  },
  {
    did: "sends a too_long error before closing a frame over the limit with 1009",
    patch: [[TOO_BIG, 'if (length > MAX_FRAME_LENGTH) {\n      send(ws, { type: "error", code: "too_long", message: "Too long." });\n      return ws.close(1009, `Frames may be at most ${MAX_FRAME_LENGTH} long.`);\n    }']],
    fails: "a frame over the limit is not read: nobody receives what it says, and nothing is stored",
    says: "no error frame for a frame over the limit",
  },
  {
    did: "closes a frame over the limit with 1008 (policy), not 1009 (message too big)",
    patch: [["return ws.close(1009, `Frames", "return ws.close(1008, `Frames"]],
    fails: "a frame over 16384 characters closes the socket with 1009",
    says: "close code 1008",
  },
  {
    did: "closes the socket after the rate_limited error, so a burst of typing disconnects its writer",
    patch: [
      ['      return send(ws, {\n        type: "error",\n        code: "rate_limited",', '      send(ws, {\n        type: "error",\n        code: "rate_limited",'],
      ["        retryAfterMs: waitMs,\n      });\n", '        retryAfterMs: waitMs,\n      });\n      return ws.close(1008, "Slow down.");\n'],
    ],
    fails: "the 6th message of a burst gets a rate_limited error with retryAfterMs",
    says: "the socket stays open after the error",
  },
  {
    did: "never forgets a bucket, so a room's Map grows with every name that ever spoke",
    patch: [["      // Buckets that have refilled are the same as none: forget them, so the map stays small.\n      for (const [other, { refilledAt }] of this.buckets) {\n        if (now - refilledAt >= BURST * REFILL_MS) this.buckets.delete(other);\n      }\n", ""]],
    fails: "buckets that have refilled are forgotten when a new name arrives: the Map stays small",
    says: "still kept",
  },
  {
    did: "measures a text frame in UTF-8 bytes, so a message of 6,000 \"€\" is closed as too big instead of answered too_long",
    patch: [['const length = typeof data === "string" ? data.length : data.byteLength;', 'const length = typeof data === "string" ? new TextEncoder().encode(data).byteLength : data.byteLength;']],
    fails: "a frame of exactly 16384 characters is answered, not closed",
    says: "UTF-8 bytes",
  },
];
