// @vitest-environment node
// How `npm run import --jobs N` shares an orders file among its sessions (supabase/import/import-files.ts,
// partShares): every order id's hash bucket in exactly one part, the first part larger while a
// customers or events file resolves beside the parts (they then parse one at a time, the first
// first, and it writes its orders while the others still parse).
import { describe, expect, it } from 'vitest';
import { partShares } from '../../supabase/import/import-files.ts';

describe('the parts of an orders file', () => {
  it('cover every hash bucket once, in order', () => {
    for (const count of [1, 2, 3, 4, 7]) {
      for (const turns of [true, false]) {
        const shares = partShares(count, turns);
        expect(shares).toHaveLength(count);
        expect(shares[0]![0]).toBe(0);
        expect(shares.at(-1)![1]).toBe(1000);
        shares.forEach(([from, to], k) => {
          expect(to).toBeGreaterThan(from);
          if (k > 0) expect(from).toBe(shares[k - 1]![1]);
        });
      }
    }
  });

  it('give the first part 1.3 / N of the rows while another file resolves beside them, else equal shares', () => {
    expect(partShares(2, true)).toEqual([[0, 650], [650, 1000]]);
    expect(partShares(4, true)).toEqual([[0, 325], [325, 550], [550, 775], [775, 1000]]);
    expect(partShares(2, false)).toEqual([[0, 500], [500, 1000]]);
    expect(partShares(1, true)).toEqual([[0, 1000]]);
  });
});
