// A person's name as Portrait shows it, from the first and last names that shops keep apart
// (Shopify's and WooCommerce's customers, billing addresses, their CSV exports).
//
// Runtime-neutral: imported by the edge functions (Deno) and `npm run import` (Node).

/** Han, kana and Hangul: scripts whose names are written family name first, without a space. */
const eastAsian = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC\u00B7\u30FB]+$/u;

/**
 * "Ann Archer" from "Ann" and "Archer"; "李伟" from first name "伟" and last name "李" (Chinese,
 * Japanese and Korean names put the family name first, with no space between); either part
 * alone when the other is missing; null when both are.
 */
export function personName(first: string | null | undefined, last: string | null | undefined): string | null {
  const given = first?.trim() ?? '';
  const family = last?.trim() ?? '';
  if (!given || !family) return given || family || null;
  return eastAsian.test(given) && eastAsian.test(family) ? family + given : `${given} ${family}`;
}
