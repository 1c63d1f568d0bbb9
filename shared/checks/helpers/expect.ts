// Small assertions that fail with "Expected … / Got …" in the chat's own terms.
import type { MessageFrame } from "../../protocol.ts";
import { CheckFailure, show } from "./check.ts";

export function expectMessage(frame: MessageFrame, name: string, message: string) {
  if (frame.name !== name || frame.message !== message) {
    throw new CheckFailure(`a message frame with name ${show(name)} and message ${show(message)}`, show(frame));
  }
}

/** The messages' texts, in order, as one list: handy for history and ordering checks. */
export function expectTexts(frames: MessageFrame[], expected: string[], what: string) {
  const texts = frames.map((frame) => frame.message);
  if (show(texts) !== show(expected)) throw new CheckFailure(`${what}: ${show(expected)}`, show(texts));
}

export function expectCode(actual: string, expected: string) {
  if (actual !== expected) throw new CheckFailure(`error code ${show(expected)}`, `code ${show(actual)}`);
}

export function expectEqual(actual: unknown, expected: unknown, what: string) {
  if (show(actual) !== show(expected)) throw new CheckFailure(`${what}: ${show(expected)}`, show(actual));
}
