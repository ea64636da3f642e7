import { useLeadStream } from '../api/stream.js';
import { sameId } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate, paths } from '../lib/router.js';
import { useAuth } from '../state/auth.js';
import { useToasts } from '../state/toasts.js';

export const OPEN_LEAD_EVENT = 'leadpool:open-lead';

/** Wherever the user is: a lead routing pushed to them gets a small toast with a way to it. */
export function PushWatcher() {
  const { t } = useI18n();
  const { user } = useAuth();
  const toasts = useToasts();
  useLeadStream((m) => {
    if (m.kind !== 'event' || m.event.type !== 'lead.pushed' || !sameId(m.event.ownerId, user?.id)) return;
    const ev = m.event;
    toasts.show({
      kind: 'info',
      message: t('push.toast'),
      ...(ev.lead?.company ? { detail: ev.lead.company } : {}),
      action: {
        label: t('common.open'),
        run: () => {
          navigate(`${paths.myLeads}?lead=${encodeURIComponent(String(ev.leadId))}`);
          // Already on My leads: the page picks the lead up from this event.
          window.dispatchEvent(new CustomEvent(OPEN_LEAD_EVENT, { detail: String(ev.leadId) }));
        },
      },
      timeoutMs: 8000,
    });
  });
  return null;
}
