// Which identifiers the background looks up, and under which key it batches and caches them.
import { identifierKey, normalizeIdentity } from '../../shared/identity.ts';
import type { Identifier } from '../platform/messaging/schemas.ts';

export { identifierKey };

/**
 * The identifier in the form the API stores it (shared/identity.ts `normalizeIdentity`), or null
 * when it cannot be one. Phone numbers written nationally are read in the organization's default
 * region; a region the phone library does not know makes the number unreadable, not the lookup fail.
 */
export function normalizeForLookup(identifier: Identifier, phoneRegion: string | null = null): Identifier | null {
  let normalized: string | null;
  try {
    normalized = normalizeIdentity(identifier, phoneRegion);
  } catch {
    normalized = null;
  }
  return normalized === null ? null : { kind: identifier.kind, value: normalized };
}

export interface LookupRules {
  /** The organization's region for phone numbers written without a country code. */
  phoneRegion: string | null;
  /** The user's own addresses, normalised. */
  ownAddresses: readonly string[];
  /** Internal email domains, normalised; their subdomains are internal too. */
  internalDomains: readonly string[];
}

function isInternalHost(host: string, internalDomains: readonly string[]): boolean {
  return internalDomains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** True for the user's own addresses and the team's internal domains: these are never looked up. */
export function isExcluded(identifier: Identifier, exclusions: Omit<LookupRules, 'phoneRegion'>): boolean {
  if (identifier.kind === 'email') {
    if (exclusions.ownAddresses.includes(identifier.value)) return true;
    const host = identifier.value.slice(identifier.value.lastIndexOf('@') + 1);
    return isInternalHost(host, exclusions.internalDomains);
  }
  if (identifier.kind === 'domain') return isInternalHost(identifier.value, exclusions.internalDomains);
  return false;
}

/**
 * The identifiers worth asking the API about, each with its stored form: invalid ones and
 * exclusions left out, repeats of the same request dropped. Two spellings of one address both stay
 * (each gets its answer); the lookup batcher asks the API about it once.
 */
export function lookupCandidates(
  identifiers: readonly Identifier[],
  rules: LookupRules,
): Array<{ requested: Identifier; normalized: Identifier }> {
  const seen = new Set<string>();
  const candidates: Array<{ requested: Identifier; normalized: Identifier }> = [];
  for (const requested of identifiers) {
    const key = identifierKey(requested);
    if (seen.has(key)) continue;
    seen.add(key);
    const normalized = normalizeForLookup(requested, rules.phoneRegion);
    if (!normalized || isExcluded(normalized, rules)) continue;
    candidates.push({ requested, normalized });
  }
  return candidates;
}
