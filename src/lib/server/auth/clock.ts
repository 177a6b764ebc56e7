/**
 * Time source for the auth services, injected so tests can move time (lockouts, session expiry).
 */

/** Returns the current instant. */
export type Clock = () => Date;

/** The wall clock. */
export const systemClock: Clock = () => new Date();
