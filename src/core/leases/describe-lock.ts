import { RegistryLock } from '../registry/types';
import { duration } from '../time/relative';
import { LockStatus } from './lease-rules';

/**
 * One short phrase for a lock, shared by the CLI table and the extension's tree items:
 * "held by lab-pc-01 · pid 4242 · 12 s left", "expired 3 min ago", "abandoned: pid 4242 is gone", "free".
 */
export function describeLock(lock: RegistryLock | null, status: LockStatus): string {
  if (!lock || status.state === 'free') return 'free';
  const left = status.msLeft ?? 0;
  switch (status.state) {
    case 'held':
      return `held by ${lock.holderHost} · pid ${lock.holderPid} · ${duration(left)} left`;
    case 'abandoned':
      return `abandoned: pid ${lock.holderPid} is gone · expires in ${duration(left)}`;
    case 'expired':
      return `expired ${duration(left)} ago${status.holderAlive === false ? ` · pid ${lock.holderPid} gone` : ''}`;
  }
}
