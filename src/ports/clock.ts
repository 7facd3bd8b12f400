/** Time is injected so expiry, reminders and signature staleness are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
