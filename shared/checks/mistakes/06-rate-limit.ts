import type { Mistake } from "./mistake.ts";

const CLASS = "export class Chat extends DurableObject<Env> {";
const REFILL = "const refill = Math.max(0, now - bucket.refilledAt) / REFILL_MS;";
const TAKE = "const waitMs = takeToken(sender, Date.now());";
const SAVE = "    // The bucket lives in the attachment, so it survives hibernation too.\n    ws.serializeAttachment(sender);\n";

export const mistakes: Mistake[] = [
  {
    did: "stores and broadcasts the refused message anyway (no return after the error)",
    patch: [["    if (waitMs > 0) {\n      return send(ws, {", "    if (waitMs > 0) {\n      send(ws, {"]],
    fails: "a rate-limited message is neither broadcast nor stored",
    says: "bob does not receive the 6th message",
  },
  {
    did: "does not save the bucket after taking a token",
    patch: [[SAVE, ""]],
    fails: "the 6th message of a burst gets a rate_limited error with retryAfterMs",
    says: 'received no "error" frame',
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
    did: "refills every bucket with setInterval instead of from the time passed",
    patch: [
      [REFILL, "const refill = 0;"],
      [
        "    super(ctx, env);\n",
        "    super(ctx, env);\n    setInterval(() => {\n      for (const ws of this.ctx.getWebSockets()) {\n        const bucket = ws.deserializeAttachment() as Attachment;\n        bucket.tokens = Math.min(BURST, bucket.tokens + 1);\n        ws.serializeAttachment(bucket);\n      }\n    }, REFILL_MS);\n",
      ],
    ],
    fails: "everyone still receives messages after the object hibernates",
    says: "a timer (setInterval, setTimeout)",
  },
  {
    did: "does not cap the refill at 5 tokens",
    patch: [["bucket.tokens = Math.min(BURST, bucket.tokens + refill);", "bucket.tokens += refill;"]],
    fails: "an idle bucket refills to 5 tokens, never more",
    says: "the bucket holds at most 5 tokens",
  },
  {
    did: "refills by now - refilledAt even when the clock went back (a negative refill)",
    patch: [[REFILL, "const refill = (now - bucket.refilledAt) / REFILL_MS;"]],
    fails: "a clock that goes back neither drains nor overfills the bucket",
    says: "with the clock 10 s behind",
  },
  {
    did: "lets messages through without a token while the clock is behind",
    patch: [[REFILL, "if (now < bucket.refilledAt) return 0;\n  const refill = (now - bucket.refilledAt) / REFILL_MS;"]],
    fails: "a clock that goes back neither drains nor overfills the bucket",
    says: "a rate_limited error for the 6th message sent with the clock 10 s behind",
  },
  {
    did: "keeps one bucket per room, in a field",
    patch: [
      [CLASS, `${CLASS}\n  private bucket: Attachment = { name: "", tokens: BURST, refilledAt: Date.now() };\n`],
      [TAKE, "const waitMs = takeToken(this.bucket, Date.now());"],
    ],
    fails: "every client sees every message in the same order",
    says: "rate_limited",
  },
  {
    did: "keeps the buckets in a Map field, full again after hibernation",
    patch: [
      [CLASS, `${CLASS}\n  private buckets = new Map<WebSocket, Attachment>();\n`],
      [TAKE, "const bucket = this.buckets.get(ws) ?? { ...sender, tokens: BURST, refilledAt: Date.now() };\n    this.buckets.set(ws, bucket);\n    const waitMs = takeToken(bucket, Date.now());"],
      [SAVE, ""],
    ],
    fails: "the limit holds across hibernation",
    says: "even though the object hibernated",
  },
];
