/**
 * How big the survival suites run. `npm test` runs a short version of each (a few kills, a few
 * hundred files: minutes, not tens of minutes); `npm run test:soak` (SW_SOAK=1) runs the long
 * ones; SW_HEAVY=1 (implies soak) runs them larger still.
 */
export const HEAVY = process.env.SW_HEAVY === '1';
export const SOAK = HEAVY || process.env.SW_SOAK === '1';
/** `short` in `npm test`, `soak` in `npm run test:soak`, `heavy` with SW_HEAVY=1. */
export const scale = <T>(short: T, soak: T, heavy: T): T => (HEAVY ? heavy : SOAK ? soak : short);
