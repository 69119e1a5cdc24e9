// The Overview page's state: who is signed in, which organization and period are shown, and the
// figures the background answered. `OverviewApi` is how the page reaches the background; the
// entrypoint sends messages, tests pass their own.
import { batch, computed, signal } from '@preact/signals';
import type { Locale } from '../../platform/i18n/i18n.ts';
import type { Language, OrgSummary } from '../send.ts';
import type { SessionState } from '../../platform/messaging/schemas.ts';
import type { StageOverview } from '../../../shared/api.ts';
import { checkRange, presetRange, utcToday, type DayRange, type Period, type RangeProblem } from './period.ts';

export interface OverviewContext {
  session: SessionState;
  orgs: OrgSummary[];
  language: Language;
}

export interface OverviewApi {
  context(): Promise<OverviewContext>;
  figures(orgId: string, range: DayRange): Promise<StageOverview>;
}

/** The UI language for a setting: 'auto' follows the browser. */
export function resolveLanguage(language: Language, browserLanguages: readonly string[]): Locale {
  if (language !== 'auto') return language;
  for (const tag of browserLanguages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Organizations whose overview the user may see (reps and admins: extension/README.md, "Features"). */
export function overviewOrgs(orgs: readonly OrgSummary[]): OrgSummary[] {
  return orgs.filter((org) => org.role === 'rep' || org.role === 'admin');
}

/** Resolves in a later task of the event loop (not a microtask), so the page can paint and take input between. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve));

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createOverviewStore(api: OverviewApi, options: { today?: () => string; cacheSize?: number } = {}) {
  const today = options.today ?? (() => utcToday());
  const cacheSize = options.cacheSize ?? 12;

  const context = signal<OverviewContext | undefined>(undefined);
  const contextError = signal<string | null>(null);
  const orgId = signal<string | null>(null);
  const period = signal<Period>('1y');
  /** The custom range last applied. */
  const customRange = signal<DayRange>(presetRange('90d', today()));
  const figures = signal<StageOverview | undefined>(undefined);
  const loading = signal(false);
  const error = signal<string | null>(null);
  /** A day picked on a chart (index into figures.days); null: the latest day. */
  const pickedIndex = signal<number | null>(null);

  const orgs = computed(() => overviewOrgs(context.value?.orgs ?? []));
  const range = computed<DayRange>(() => (period.value === 'custom' ? customRange.value : presetRange(period.value, today())));
  const dayIndex = computed(() => {
    const days = figures.value?.days.length ?? 0;
    if (days === 0) return null;
    const picked = pickedIndex.value;
    return picked !== null && picked >= 0 && picked < days ? picked : days - 1;
  });

  // Answers by organization and range, newest last, so that switching back is instant.
  const cache = new Map<string, StageOverview>();
  let latestRequest = 0;

  async function load(): Promise<void> {
    const org = orgId.value;
    if (!org) return;
    const wanted = range.value;
    const key = `${org}|${wanted.from}|${wanted.to}`;
    const request = ++latestRequest;
    const cached = cache.get(key);
    if (cached) {
      batch(() => {
        figures.value = cached;
        pickedIndex.value = null;
        loading.value = false;
        error.value = null;
      });
      return;
    }
    loading.value = true;
    error.value = null;
    try {
      const answer = await api.figures(org, wanted);
      // The answer's arrival (years of days to copy in) and drawing it are separate tasks.
      await nextTask();
      cache.delete(key);
      cache.set(key, answer);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      if (request !== latestRequest) return;
      batch(() => {
        figures.value = answer;
        pickedIndex.value = null;
        loading.value = false;
      });
    } catch (failure) {
      if (request !== latestRequest) return;
      batch(() => {
        error.value = messageOf(failure);
        loading.value = false;
      });
    }
  }

  return {
    context,
    contextError,
    orgs,
    orgId,
    period,
    customRange,
    range,
    figures,
    loading,
    error,
    pickedIndex,
    dayIndex,

    /** Asks the background who is signed in, picks the organization, loads the figures. */
    async start(): Promise<OverviewContext | undefined> {
      try {
        const answer = await api.context();
        const eligible = overviewOrgs(answer.orgs);
        const active = answer.session.signedIn ? answer.session.orgId : null;
        batch(() => {
          context.value = answer;
          contextError.value = null;
          orgId.value = eligible.find((org) => org.id === active)?.id ?? eligible[0]?.id ?? null;
        });
        await load();
        return answer;
      } catch (failure) {
        contextError.value = messageOf(failure);
        return undefined;
      }
    },

    selectOrg(id: string): Promise<void> {
      if (!orgs.value.some((org) => org.id === id)) return Promise.resolve();
      orgId.value = id;
      return load();
    },

    selectPeriod(next: Exclude<Period, 'custom'>): Promise<void> {
      period.value = next;
      return load();
    },

    /** Shows a custom range, or says what is wrong with it (and loads nothing). */
    applyCustom(next: DayRange): Promise<RangeProblem | null> {
      const problem = checkRange(next);
      if (problem) return Promise.resolve(problem);
      batch(() => {
        customRange.value = next;
        period.value = 'custom';
      });
      return load().then(() => null);
    },

    pickDay(index: number | null): void {
      pickedIndex.value = index;
    },

    retry: load,
  };
}

export type OverviewStore = ReturnType<typeof createOverviewStore>;
