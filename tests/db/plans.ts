// Plans of every statement a call runs, for the plan tests (customer-context-plan.test.ts,
// customer-timeline-plan.test.ts). Statements inside PL/pgSQL functions do not show in an EXPLAIN
// of the call, so the plans come from auto_explain (log_nested_statements), in JSON, sent to the
// client as notices. PGlite needs the auto_explain extension loaded at start, so on the embedded
// database a plan session opens its own copy of the migrated snapshot.
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { auto_explain } from '@electric-sql/pglite/contrib/auto_explain';
import pg from 'pg';
import { inject } from 'vitest';
import { fromPglite, pgliteExtensions, type Db } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';
import { claimsOf } from './tenants.ts';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  /** With `analyze` only. */
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

export interface LoggedPlan {
  'Query Text': string;
  Plan: PlanNode;
}

export interface PlanSession {
  db: Db;
  /** Runs `sql` as the staff member of org A, rolled back, and returns the plans of every statement it ran. */
  plans(sql: string, params: unknown[]): Promise<{ rows: unknown[]; plans: PlanNode[] }>;
  close(): Promise<void>;
}

/** auto_explain's settings for a transaction: every statement's plan, nested ones too, in JSON as a notice. */
export const explainSettings = (analyze: boolean) => `
  load 'auto_explain';
  set auto_explain.log_min_duration = 0;
  set auto_explain.log_nested_statements = on;
  set auto_explain.log_format = json;
  ${analyze ? 'set auto_explain.log_analyze = on; set auto_explain.log_timing = off;' : ''}
  set auto_explain.log_level = notice;`;

function planFromNotice(message: string): LoggedPlan | null {
  const start = message.indexOf('{');
  return message.includes('plan:') && start >= 0 ? (JSON.parse(message.slice(start)) as LoggedPlan) : null;
}

/** The plans auto_explain sent as notices, with their statements' text. */
export const loggedPlans = (notices: string[]) => notices.map(planFromNotice).filter((p) => p !== null);

const plansOf = (notices: string[]) => loggedPlans(notices).map((p) => p.Plan);

const asStaff = () =>
  `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${JSON.stringify({ role: 'authenticated', ...claimsOf('staff') })}', true)`;

/** A database of its own for plan tests; `analyze` adds actual row counts to the plans. */
export async function openPlanSession({ analyze = false }: { analyze?: boolean } = {}): Promise<PlanSession> {
  const snapshot = inject('pgliteSnapshot');
  if (!snapshot) {
    const testDb: TestDb = await freshDb();
    const client = new pg.Client({ connectionString: testDb.url! });
    await client.connect();
    const notices: string[] = [];
    client.on('notice', (notice) => notices.push(notice.message ?? ''));
    return {
      db: testDb.db,
      async plans(sql, params) {
        await client.query('begin');
        try {
          // auto_explain's settings are for superusers: set them before becoming the member.
          await client.query(explainSettings(analyze));
          await client.query(asStaff());
          notices.length = 0;
          const result = await client.query(sql, params);
          return { rows: result.rows, plans: plansOf(notices) };
        } finally {
          await client.query('rollback');
        }
      },
      async close() {
        await client.end();
        await testDb.close();
      },
    };
  }
  const pglite = new PGlite({
    loadDataDir: new Blob([await readFile(snapshot)]),
    extensions: { ...pgliteExtensions, auto_explain },
  });
  await pglite.waitReady;
  return {
    db: fromPglite(pglite),
    async plans(sql, params) {
      return pglite.transaction(async (tx) => {
        await tx.exec(explainSettings(analyze));
        await tx.exec(asStaff());
        const notices: string[] = [];
        const result = await tx.query(sql, params, { onNotice: (notice) => notices.push(notice.message ?? '') });
        await tx.rollback();
        return { rows: result.rows, plans: plansOf(notices) };
      });
    },
    close: () => pglite.close(),
  };
}

/** A client of a fresh database on the native server whose notices (auto_explain's plans among them) are kept: native-only plan tests. */
export interface NativePlanClient {
  client: pg.Client;
  notices: string[];
  close(): Promise<void>;
}

export async function openNativePlanClient(): Promise<NativePlanClient> {
  const testDb = await freshDb();
  const client = new pg.Client({ connectionString: testDb.url! });
  await client.connect();
  const notices: string[] = [];
  client.on('notice', (notice) => notices.push(notice.message ?? ''));
  return {
    client,
    notices,
    async close() {
      await client.end();
      await testDb.close();
    },
  };
}

/** A plan's nodes, depth first. */
export function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}
