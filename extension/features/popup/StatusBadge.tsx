import { t } from '../../platform/i18n/i18n.ts';
import type { ConnectionState } from './store.ts';

const dotColor: Record<ConnectionState, string> = {
  checking: 'bg-slate-400',
  online: 'bg-emerald-500',
  offline: 'bg-rose-500',
  error: 'bg-amber-500',
};

export function StatusBadge({ state }: { state: ConnectionState }) {
  return (
    <p class="flex items-center gap-2 text-sm" data-testid="connection-state" data-state={state}>
      <span class={`inline-block size-2.5 rounded-full ${dotColor[state]}`} aria-hidden="true" />
      <span>{t(`popup.status.${state}`)}</span>
    </p>
  );
}
