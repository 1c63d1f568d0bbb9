// A clock the checks set by hand. The room's Durable Object runs in the same isolate as the
// checks, so when a check freezes Date, the room reads the frozen time too: a check can send five
// messages within one millisecond, let a minute pass, or turn the clock back, without waiting.
// Every check in a file shares that Date: declare clock checks with check.alone(), never check().
import { onTestFinished, vi } from "vitest";

export type Clock = {
  /** Moves the clock by `ms`: forward, or back when `ms` is negative. */
  advance(ms: number): void;
};

/**
 * Stops Date (`Date.now()` and `new Date()`) at the real time now, runs `body`, and always
 * gives the real clock back. The clock only moves when `body` moves it; timers keep real time.
 */
export async function withClock(body: (clock: Clock) => Promise<void>): Promise<void> {
  // Two clock checks side by side would move each other's clock.
  if (vi.isFakeTimers()) throw new Error("the clock is already stopped: declare clock checks with check.alone()");
  let stopped = true;
  const release = () => {
    if (stopped) vi.useRealTimers();
    stopped = false;
  };
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  // A check that gives up waiting leaves its body running: the clock comes back when the check ends anyway,
  // and a late advance() moves nothing.
  onTestFinished(release);
  try {
    await body({
      advance: (ms) => {
        if (stopped) vi.setSystemTime(Date.now() + ms);
      },
    });
  } finally {
    release();
  }
}
