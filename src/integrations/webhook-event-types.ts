/** The event types a webhook endpoint can ask for. Free of imports: the web UI uses this list too. */
export const WEBHOOK_EVENT_TYPES = [
  'lead.created',
  'lead.routed',
  'lead.claimed',
  'lead.released',
  'lead.expired',
  'lead.escalated',
  'lead.contacted',
  'lead.status_changed',
  'rule.refused',
  'lead.reassigned',
  'lead.skipped',
  'lead.pushed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
