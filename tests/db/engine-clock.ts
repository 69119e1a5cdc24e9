// The engine tests' clock: every engine test classifies as of NOW (the engine's clock is set
// with atEngineTime or portrait.engine_now), and dates are written relative to it.
export const NOW = '2026-06-01T12:00:00.000Z';
export const nowMs = Date.parse(NOW);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The moment offsetDays days after NOW (before it when negative), as ISO 8601. */
export const at = (offsetDays: number) => new Date(nowMs + offsetDays * DAY).toISOString();

/** The moment days (and hours) before NOW, as ISO 8601. */
export const ago = (days: number, hours = 0) => new Date(nowMs - days * DAY - hours * HOUR).toISOString();
