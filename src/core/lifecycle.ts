import { AppError } from './errors.js';
import type { Lead, LeadStatus, WorkStatus } from './types.js';

/**
 * Which work statuses a held lead may move to. A lead is disqualified or converted for good;
 * converting needs contact first (a lead nobody spoke to cannot have converted).
 */
const WORK_TRANSITIONS: Record<WorkStatus, readonly LeadStatus[]> = {
  qualified: ['assigned', 'claimed', 'contacted'],
  disqualified: ['assigned', 'claimed', 'contacted', 'qualified', 'review'],
  converted: ['contacted', 'qualified'],
};

export const TERMINAL_STATUSES: readonly LeadStatus[] = ['disqualified', 'converted'];
/** A lead in one of these can be released back to its pool. */
/** A held lead, or one waiting for review that a manager puts back. */
export const RELEASABLE_STATUSES: readonly LeadStatus[] = ['assigned', 'claimed', 'contacted', 'qualified', 'review'];
/** Activity can be logged on a lead its owner holds and has not closed. */
export const ACTIVITY_STATUSES: readonly LeadStatus[] = ['assigned', 'claimed', 'contacted', 'qualified'];

export function checkWorkTransition(lead: Pick<Lead, 'id' | 'status' | 'contactedAt'>, to: WorkStatus): void {
  if (to === 'converted' && lead.contactedAt === null) {
    throw new AppError('INVALID_TRANSITION', `Lead ${lead.id} has no contact logged; log the call or meeting before converting it.`, {
      from: lead.status,
      to,
      needs: 'contact',
    });
  }
  if (!WORK_TRANSITIONS[to].includes(lead.status)) {
    throw new AppError('INVALID_TRANSITION', `Lead ${lead.id} is ${lead.status}; it cannot become ${to}.`, {
      from: lead.status,
      to,
      allowedFrom: WORK_TRANSITIONS[to],
    });
  }
}

/** The status a held lead takes when its owner logs work on it. */
export function statusAfterActivity(status: LeadStatus): LeadStatus {
  return status === 'claimed' || status === 'assigned' ? 'contacted' : status;
}
