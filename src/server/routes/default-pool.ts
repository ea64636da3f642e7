import { AppError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';

/** Where a lead without a poolId goes until routing rules decide it. */
export async function defaultPoolId(store: Store): Promise<number> {
  const pools = await store.listPools();
  const pool = pools.find((p) => p.isDefault) ?? pools[0];
  if (!pool) throw new AppError('VALIDATION_FAILED', 'poolId: there are no pools yet; create one first', { fields: [{ field: 'poolId', problem: 'there are no pools yet' }] });
  return pool.id;
}
