import type { Lead, LeadEvent } from '../core/types.js';
import { leadJson } from '../server/views.js';

/**
 * The event names webhooks carry, and the internal event type each comes from. Public names
 * are a contract with receivers, so they are kept apart from the history's own names
 * (`lead.activity` is sent as `lead.contacted`, a claim refusal as `rule.refused`).
 * A push by the routing rules is sent as `lead.pushed`: the lead went straight to a rep.
 */
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types.js';
import type { WebhookEventType } from './webhook-event-types.js';

const PUBLIC_NAME: Record<string, WebhookEventType> = {
  'lead.created': 'lead.created',
  'lead.routed': 'lead.routed',
  'lead.claimed': 'lead.claimed',
  'lead.released': 'lead.released',
  'lead.expired': 'lead.expired',
  'lead.escalated': 'lead.escalated',
  'lead.activity': 'lead.contacted',
  'lead.status_changed': 'lead.status_changed',
  'lead.claim_refused': 'rule.refused',
  'lead.reassigned': 'lead.reassigned',
  'lead.skipped': 'lead.skipped',
  'lead.pushed': 'lead.pushed',
};

/** The public name of an internal event type, or null when webhooks never carry it. */
export function publicEventType(internal: string): WebhookEventType | null {
  return PUBLIC_NAME[internal] ?? null;
}

export interface WebhookPayload {
  /** The event id: the same on every attempt and replay, so receivers can drop repeats. */
  id: number;
  type: WebhookEventType;
  occurredAt: string;
  /** The lead as GET /api/v1/leads/{id} shows it to a manager, as it stood when the delivery was queued. */
  lead: Record<string, unknown> | null;
  reason: string | null;
  data: Record<string, unknown>;
  actor: { kind: LeadEvent['actorKind']; id: number | null; name: string };
}

export function webhookPayload(event: LeadEvent, type: WebhookEventType, lead: Lead | null): WebhookPayload {
  return {
    id: event.id,
    type,
    occurredAt: new Date(event.at).toISOString(),
    lead: lead ? leadJson(lead) : null,
    reason: event.reason,
    data: event.data,
    actor: { kind: event.actorKind, id: event.actorId, name: event.actorName },
  };
}
