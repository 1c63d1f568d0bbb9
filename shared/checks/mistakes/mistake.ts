// The catalogue of mistakes: for each stage, the wrong versions people really write, each as a
// small patch on that stage's solution. `npm test` applies every one to a scratch copy, runs the
// stage's checks on it and proves that they fail where `fails` says, with the words of `says`.
// The guide's "Common mistakes" tables are made from these lists, so it promises no check that
// does not exist.

export type Mistake = {
  /** What the attendee did, in one line: "stores history in an array field". */
  did: string;
  /** Exact text in solutions/<stage>/src/index.ts and what the attendee wrote instead. Each `from` must occur once. */
  patch: [from: string, to: string][];
  /** The same, in the stage's own wrangler.jsonc (stage 08 on): a binding or a class declaration left out. */
  config?: [from: string, to: string][];
  /**
   * The title of the first check that fails. Where the clock decides which check meets the
   * mistake first (two messages in one millisecond), the titles it may be; `says` then names
   * what they all show.
   */
  fails: string | string[];
  /** Words that the failure's Expected/Got/Hint output must contain. */
  says: string;
};
