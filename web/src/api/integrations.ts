import { must, request } from './client.js';

/** Webhook endpoints, their delivery logs, and intake sources (the shapes of the integrations API). */

// The server's own lists, so the form offers exactly what the API accepts.
export { WEBHOOK_EVENT_TYPES } from '../../../src/integrations/webhook-event-types.js';
export { LEAD_FIELD_PATHS } from '../../../src/store/integration-store.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

export interface Webhook {
  id: number;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  secretHint: string;
  /** Only right after create or rotate. */
  secret?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Delivery {
  id: number;
  endpointId: number;
  eventId: number;
  eventType: string;
  leadId: number | null;
  status: DeliveryStatus;
  attempts: number;
  waiting: boolean;
  inFlight: boolean;
  nextAttemptAt: string | null;
  expiresAt: string;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponseExcerpt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface IntakeSource {
  id: number;
  name: string;
  slug: string;
  intakeUrl: string;
  poolId: number | null;
  mapping: Record<string, string>;
  defaults: Record<string, unknown>;
  dedupeBy: 'email' | 'externalId';
  dedupeWindowMinutes: number;
  tokenHint: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface IntakeLogEntry {
  id: number;
  receivedAt: string;
  status: 'created' | 'duplicate' | 'rejected';
  httpStatus: number;
  leadId: number | null;
  problems: { field: string; problem: string }[] | null;
  contentType: string | null;
  rawExcerpt: string | null;
}

export interface WebhookInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
  enabled?: boolean;
}

export interface IntakeInput {
  name: string;
  poolId?: number | null;
  mapping: Record<string, string>;
  dedupeBy: 'email' | 'externalId';
  dedupeWindowMinutes: number;
  enabled?: boolean;
}

type Page<T> = { items: T[]; nextBefore: number | null };
const qs = (q: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const integrationsApi = {
  webhooks: (signal?: AbortSignal) => must(request<{ items: Webhook[] }>('GET', '/webhooks', undefined, { signal })),
  createWebhook: (body: WebhookInput) => must(request<{ webhook: Webhook }>('POST', '/webhooks', body)),
  updateWebhook: (id: number, body: Partial<WebhookInput> | { rotateSecret: true }) => must(request<{ webhook: Webhook }>('PATCH', `/webhooks/${id}`, body)),
  deleteWebhook: (id: number) => request<null>('DELETE', `/webhooks/${id}`),
  deliveries: (id: number, q: { status?: DeliveryStatus | ''; before?: number }, signal?: AbortSignal) =>
    must(request<Page<Delivery>>('GET', `/webhooks/${id}/deliveries${qs({ ...q, limit: 50 })}`, undefined, { signal })),
  replay: (deliveryId: number) => must(request<{ delivery: Delivery }>('POST', `/webhooks/deliveries/${deliveryId}/replay`)),

  sources: (signal?: AbortSignal) => must(request<{ items: IntakeSource[] }>('GET', '/intake/sources', undefined, { signal })),
  createSource: (body: IntakeInput) => must(request<{ source: IntakeSource; token: string }>('POST', '/intake/sources', body)),
  updateSource: (id: number, body: Partial<IntakeInput>) => must(request<{ source: IntakeSource }>('PATCH', `/intake/sources/${id}`, body)),
  deleteSource: (id: number) => request<null>('DELETE', `/intake/sources/${id}`),
  rotateToken: (id: number) => must(request<{ source: IntakeSource; token: string }>('POST', `/intake/sources/${id}/token`)),
  intakeLog: (id: number, q: { status?: IntakeLogEntry['status'] | ''; before?: number }, signal?: AbortSignal) =>
    must(request<Page<IntakeLogEntry>>('GET', `/intake/${id}/log${qs({ ...q, limit: 50 })}`, undefined, { signal })),
};
