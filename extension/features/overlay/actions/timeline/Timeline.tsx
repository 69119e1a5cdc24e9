// The customer's activity, newest first, grouped by day; "Show more" reads the next page.
import type { TimelineItem } from '../../../../../shared/api.ts';
import { getLocale } from '../../../../platform/i18n/i18n.ts';
import { t } from '../texts.ts';
import { groupByDay, itemText, kindStyle } from './timeline.ts';

function time(iso: string): string {
  return new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit' }).format(Date.parse(iso));
}

function Item({ item }: { item: TimelineItem }) {
  const { title, detail } = itemText(item);
  const style = kindStyle[item.kind];
  return (
    <li class="flex gap-2" data-kind={item.kind}>
      <span aria-hidden="true" class={`flex size-6 shrink-0 items-center justify-center rounded-full text-xs ${style.colour}`}>
        {style.icon}
      </span>
      <div class="min-w-0 flex-1">
        <p class="text-sm break-words">{title}</p>
        {detail && <p class="text-xs break-words whitespace-pre-line text-slate-600">{detail}</p>}
        <p class="text-[11px] text-slate-500">
          <time dateTime={item.at}>{time(item.at)}</time>
          {item.by_name && ` · ${t('timeline.by', { name: item.by_name })}`}
        </p>
      </div>
    </li>
  );
}

export function Timeline({
  items,
  now,
  state,
  hasMore,
  onMore,
  onRetry,
}: {
  items: TimelineItem[];
  now: number;
  state: 'loading' | 'ready' | 'failed';
  hasMore: boolean;
  onMore(): void;
  onRetry(): void;
}) {
  const groups = groupByDay(items, now);
  return (
    <section aria-label={t('timeline')} class="flex flex-col gap-2" data-testid="portrait-timeline">
      <h3 class="ov-heading">{t('timeline')}</h3>
      {groups.map((group) => (
        <div key={group.day} class="flex flex-col gap-1.5">
          <h4 class="text-xs font-medium text-slate-600">
            <time dateTime={group.day}>{group.label}</time>
          </h4>
          <ol class="flex flex-col gap-2">
            {group.items.map((item) => (
              <Item key={item.key} item={item} />
            ))}
          </ol>
        </div>
      ))}
      {state === 'ready' && items.length === 0 && <p class="text-sm text-slate-600">{t('timeline.empty')}</p>}
      {state === 'loading' && <p role="status" class="text-sm text-slate-600">{t('timeline.loading')}</p>}
      {state === 'failed' && (
        <p role="alert" class="flex items-center gap-2 text-sm text-rose-700">
          {t('timeline.failed')}
          <button type="button" class="ov-btn-quiet" onClick={onRetry}>
            {t('timeline.retry')}
          </button>
        </p>
      )}
      {state === 'ready' && hasMore && (
        <button type="button" class="ov-btn-quiet self-start" onClick={onMore}>
          {t('timeline.more')}
        </button>
      )}
    </section>
  );
}
