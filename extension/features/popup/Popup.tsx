import { useEffect, useState } from 'preact/hooks';
import { getLocale, t } from '../../platform/i18n/i18n.ts';
import type { OrgSummary, PopupStateResponse, SiteId } from '../send.ts';
import type { DueFollowUpView, PoolReturnView } from './schemas.ts';
import { daysUntilRecycle, recycleIsUrgent, recycleWording } from '../../platform/recycle.ts';
import { t as overviewText } from '../overview/texts.ts';
import type { PopupStore } from './store.ts';
import { StatusBadge } from './StatusBadge.tsx';


const inputClass =
  'w-full rounded border border-slate-300 px-2 py-1 text-sm focus:border-sky-500 focus:outline-none';
const buttonClass =
  'rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50';
const quietButtonClass =
  'rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50';

/** Overdue or due-today follow-ups, each opening the customer's mail (or Studio row for admins). */
function FollowUpList({ kind, items }: { kind: 'overdue' | 'today'; items: DueFollowUpView[] }) {
  if (items.length === 0) return null;
  const time = new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return (
    <section aria-label={t(`popup.followUps.${kind}`)} data-testid={`follow-ups-${kind}`} class="flex flex-col gap-1">
      <h2 class={`text-xs font-semibold uppercase ${kind === 'overdue' ? 'text-rose-700' : 'text-slate-600'}`}>
        {`${t(`popup.followUps.${kind}`)} (${items.length})`}
      </h2>
      <ul class="flex flex-col gap-1">
        {items.map((item) => (
          <li key={item.id} class="text-sm">
            {item.url ? (
              <a href={item.url} target="_blank" rel="noopener noreferrer" class="font-medium text-sky-700 underline">
                {item.customerName}
              </a>
            ) : (
              <span class="font-medium">{item.customerName}</span>
            )}
            <span class="text-xs text-slate-600">{` · ${time.format(Date.parse(item.dueAt))}`}</span>
            {item.note && <p class="truncate text-xs text-slate-600">{item.note}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The user's customers that return to the pool within a week, soonest first (red under three days). */
function PoolReturnList({ items, now }: { items: PoolReturnView[]; now: number }) {
  if (items.length === 0) return null;
  return (
    <section aria-label={t('popup.poolReturns')} data-testid="pool-returns" class="flex flex-col gap-1">
      <h2 class="text-xs font-semibold uppercase text-slate-600">{`${t('popup.poolReturns')} (${items.length})`}</h2>
      <ul class="flex flex-col gap-1">
        {items.map((item) => {
          const days = daysUntilRecycle(item.recycleAt, now) ?? 0;
          const urgent = recycleIsUrgent(days);
          return (
            <li key={item.customerId} class="text-sm">
              {item.url ? (
                <a href={item.url} target="_blank" rel="noopener noreferrer" class="font-medium text-sky-700 underline">
                  {item.customerName}
                </a>
              ) : (
                <span class="font-medium">{item.customerName}</span>
              )}
              <span class={`text-xs ${urgent ? 'font-semibold text-rose-700' : 'text-slate-600'}`} data-urgent={urgent ? 'true' : 'false'}>
                {` · ${t(`popup.poolReturns.${recycleWording(days)}`, { days })}`}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function SignInForm({ store }: { store: PopupStore }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const failure = store.error.value?.kind === 'sign-in' ? store.error.value.message : null;

  return (
    <form
      class="flex flex-col gap-2"
      aria-label={t('popup.signIn.heading')}
      onSubmit={(event) => {
        event.preventDefault();
        void store.signIn(email.trim(), password).then(() => setPassword(''));
      }}
    >
      <h2 class="text-sm font-semibold">{t('popup.signIn.heading')}</h2>
      <label class="flex flex-col gap-1 text-xs text-slate-600">
        {t('popup.email')}
        <input
          class={inputClass}
          type="email"
          name="email"
          autocomplete="username"
          required
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
        />
      </label>
      <label class="flex flex-col gap-1 text-xs text-slate-600">
        {t('popup.password')}
        <input
          class={inputClass}
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
      </label>
      <button class={buttonClass} type="submit" disabled={store.busy.value}>
        {store.busy.value ? t('popup.signingIn') : t('popup.signIn')}
      </button>
      {failure && (
        <p class="text-xs text-rose-700" role="alert" data-testid="sign-in-error">
          {t('popup.signIn.failed', { message: failure })}
        </p>
      )}
    </form>
  );
}

function OrgPicker({ store, orgs }: { store: PopupStore; orgs: OrgSummary[] }) {
  const active = store.activeOrg.value;
  if (orgs.length === 0) return <p class="text-xs text-slate-600">{t('popup.org.none')}</p>;
  return (
    <div class="flex flex-col gap-1">
      {orgs.length > 1 ? (
        <label class="flex flex-col gap-1 text-xs text-slate-600">
          {t('popup.org')}
          <select
            class={inputClass}
            value={active?.id ?? ''}
            disabled={store.busy.value}
            onChange={(event) => void store.selectOrg(event.currentTarget.value)}
          >
            {orgs.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p class="text-xs text-slate-600">{t('popup.org')}</p>
      )}
      {active && (
        <p class="text-sm" data-testid="active-org">
          <span class="font-medium">{active.name}</span>
          <span class="text-slate-600"> · {t(`popup.role.${active.role}`)}</span>
        </p>
      )}
    </div>
  );
}

function Invitations({ store, invitations }: { store: PopupStore; invitations: PopupStateResponse['invitations'] }) {
  if (invitations.length === 0) return null;
  const date = (iso: string) => new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium' }).format(new Date(iso));
  return (
    <section class="flex flex-col gap-2 rounded border border-sky-200 bg-sky-50 p-2" aria-labelledby="invitations-heading" data-testid="invitations">
      <h2 id="invitations-heading" class="text-xs font-semibold text-slate-700">
        {t('popup.invitations')}
      </h2>
      <ul class="flex flex-col gap-2">
        {invitations.map((invitation) => (
          <li key={invitation.id} class="flex flex-col gap-1 text-sm">
            <span>{t('popup.invitation', { org: invitation.orgName, role: t(`popup.role.${invitation.role}`) })}</span>
            <span class="text-xs text-slate-600">
              {invitation.invitedBy
                ? t('popup.invitation.by', { name: invitation.invitedBy, date: date(invitation.expiresAt) })
                : t('popup.invitation.until', { date: date(invitation.expiresAt) })}
            </span>
            <span class="flex gap-2">
              <button
                type="button"
                class={buttonClass}
                disabled={store.busy.value}
                aria-label={t('popup.invitation.acceptLabel', { org: invitation.orgName })}
                onClick={() => void store.answerInvitation(invitation.id, true)}
              >
                {t('popup.invitation.accept')}
              </button>
              <button
                type="button"
                class={quietButtonClass}
                disabled={store.busy.value}
                aria-label={t('popup.invitation.declineLabel', { org: invitation.orgName })}
                onClick={() => void store.answerInvitation(invitation.id, false)}
              >
                {t('popup.invitation.decline')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SiteSwitches({ store, state }: { store: PopupStore; state: PopupStateResponse }) {
  return (
    <fieldset class="flex flex-col gap-1">
      <legend class="text-xs text-slate-600">{t('popup.sites')}</legend>
      {(Object.keys(state.sites) as SiteId[]).map((site) => (
        <label key={site} class="flex items-center justify-between gap-2 text-sm">
          {t(`popup.site.${site}`)}
          <input
            type="checkbox"
            role="switch"
            aria-checked={state.sites[site]}
            checked={state.sites[site]}
            disabled={store.busy.value}
            onChange={(event) => void store.setSite(site, event.currentTarget.checked)}
          />
        </label>
      ))}
    </fieldset>
  );
}

function SignedIn({
  store,
  state,
  email,
  onOpenOverview,
}: {
  store: PopupStore;
  state: PopupStateResponse;
  email: string;
  onOpenOverview?: () => void;
}) {
  const failure = store.error.value?.kind === 'action' ? store.error.value.message : null;
  // The Overview page is for reps and admins (extension/README.md, "Features").
  const role = store.activeOrg.value?.role;
  const showOverview = onOpenOverview && (role === 'rep' || role === 'admin');
  return (
    <section class="flex flex-col gap-3">
      <p class="text-xs text-slate-600">
        {t('popup.signedInAs')}{' '}
        <span class="font-medium text-slate-900" data-testid="signed-in-email">
          {email}
        </span>
      </p>
      <Invitations store={store} invitations={state.invitations} />
      <OrgPicker store={store} orgs={state.orgs} />
      {showOverview && (
        <button type="button" class={quietButtonClass} title={overviewText('open.hint')} onClick={onOpenOverview}>
          {overviewText('open')}
        </button>
      )}
      {state.followUps && <FollowUpList kind="overdue" items={state.followUps.overdue} />}
      {state.followUps && <FollowUpList kind="today" items={state.followUps.today} />}
      {state.poolReturns && <PoolReturnList items={state.poolReturns} now={Date.now()} />}
      <SiteSwitches store={store} state={state} />
      {state.pendingWrites > 0 && (
        <p class="text-xs text-amber-700" data-testid="pending-writes">
          {t('popup.pending', { count: state.pendingWrites })}
        </p>
      )}
      {state.failedWrites > 0 && (
        <p class="text-xs text-rose-700" data-testid="failed-writes">
          {t('popup.failed', { count: state.failedWrites })}
        </p>
      )}
      {failure && (
        <p class="text-xs text-rose-700" role="alert">
          {t('popup.actionFailed', { message: failure })}
        </p>
      )}
      <button class={quietButtonClass} type="button" data-testid="sign-out" disabled={store.busy.value} onClick={() => void store.signOut()}>
        {t('popup.signOut')}
      </button>
    </section>
  );
}

export function Popup({
  store,
  onOpenOptions,
  onOpenOverview,
}: {
  store: PopupStore;
  onOpenOptions?: () => void;
  onOpenOverview?: () => void;
}) {
  useEffect(() => {
    void store.refresh();
  }, [store]);

  const state = store.popup.value;
  const session = state?.session;

  return (
    <main class="flex w-72 flex-col gap-3 p-4 text-slate-900">
      <header class="flex items-center justify-between">
        <h1 class="text-lg font-semibold">{t('app.name')}</h1>
        {onOpenOptions && (
          <button type="button" class="text-xs text-sky-700 hover:underline" onClick={onOpenOptions}>
            {t('popup.options')}
          </button>
        )}
      </header>
      <StatusBadge state={store.state.value} />
      {store.apiUrl.value && (
        <p class="text-xs text-slate-600">
          {t('popup.apiUrl')}: <span class="font-mono" data-testid="api-url">{store.apiUrl.value}</span>
        </p>
      )}
      {!state && <p class="text-sm text-slate-600">{t('popup.loading')}</p>}
      {session && !session.signedIn && session.reason === 'not-configured' && (
        <p class="text-sm">{t('popup.notConfigured')}</p>
      )}
      {session && !session.signedIn && session.reason === 'signed-out' && <SignInForm store={store} />}
      {state && session?.signedIn && <SignedIn store={store} state={state} email={session.email} onOpenOverview={onOpenOverview} />}
    </main>
  );
}
