import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../api/client.js';
import { WORK_STATUSES, type Lead, type WorkStatus } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useToasts } from '../state/toasts.js';
import { ActivityForm } from './ActivityForm.js';
import { StatusBadge } from './Badges.js';
import { EventList } from './EventList.js';
import { AttributeList, ContactCard, LeadFacts } from './LeadFacts.js';
import { LockTimer } from './LockTimer.js';
import { ProblemBox } from './ProblemBox.js';

const CLOSED = new Set(['disqualified', 'converted']);
const RELEASABLE = new Set(['assigned', 'claimed', 'contacted']);

interface Props {
  lead: Lead;
  onLeadChange: (lead: Lead) => void;
  onRelease: (lead: Lead) => void;
  historyKey: number;
  /** Open the activity form at once (the row's "Log activity" button). */
  activityOpen?: boolean;
  onActivityOpenChange?: (open: boolean) => void;
  onClose?: () => void;
  /** Move focus to the heading when the panel opens. */
  focusOnOpen?: boolean;
  headingLevel?: 2 | 3;
  /** A queue lead: the Skip button, and the reason list when it is open. */
  onSkip?: () => void;
  skipOpen?: boolean;
  skipMenu?: ReactNode;
  /** A problem to show from outside (e.g. a refused skip). */
  problem?: ShownError | null;
}

/** Everything a rep does with a lead they hold: details, timer, activity, status, release, history. */
export function LeadWorkPanel({
  lead,
  onLeadChange,
  onRelease,
  historyKey,
  activityOpen,
  onActivityOpenChange,
  onClose,
  focusOnOpen,
  headingLevel = 2,
  onSkip,
  skipOpen,
  skipMenu,
  problem,
}: Props) {
  const i18n = useI18n();
  const { t } = i18n;
  const toasts = useToasts();
  const [localOpen, setLocalOpen] = useState(false);
  const formOpen = activityOpen ?? localOpen;
  const setFormOpen = onActivityOpenChange ?? setLocalOpen;
  const [busy, setBusy] = useState<WorkStatus | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const activityButton = useRef<HTMLButtonElement>(null);
  const [localHistoryKey, setLocalHistoryKey] = useState(0);

  useEffect(() => {
    setError(null);
    if (focusOnOpen) heading.current?.focus();
  }, [lead.id, focusOnOpen]);

  const closed = CLOSED.has(lead.status);
  const company = lead.company ?? `#${String(lead.id)}`;

  const setStatus = async (s: WorkStatus) => {
    setBusy(s);
    setError(null);
    try {
      const { lead: updated } = await api.setStatus(lead.id, s);
      onLeadChange(updated);
      setLocalHistoryKey((n) => n + 1);
      toasts.show({ kind: 'success', message: t('act.statusSet', { company, status: t(`status.${s}`) }) });
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(null);
    }
  };

  const H = headingLevel === 2 ? 'h2' : 'h3';

  return (
    <article className="work-panel" aria-labelledby={`lead-${String(lead.id)}-title`}>
      <header className="panel-head">
        <div>
          <H className="panel-title" id={`lead-${String(lead.id)}-title`} tabIndex={-1} ref={heading}>
            {company}
          </H>
          <div className="panel-sub">
            <StatusBadge status={lead.status} />
            <LockTimer lead={lead} />
          </div>
        </div>
        {onClose ? (
          <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        ) : null}
      </header>

      <ContactCard lead={lead} />

      {!closed ? (
        <div className="panel-actions" role="group" aria-label={t('act.actions', { company })}>
          {!formOpen ? (
            <button type="button" ref={activityButton} className="btn btn-primary" onClick={() => setFormOpen(true)}>
              {t('act.logActivity')}
            </button>
          ) : null}
          {onSkip && lead.status === 'claimed' && !lead.contactedAt ? (
            <button type="button" className="btn" onClick={onSkip} aria-expanded={skipOpen ?? false}>
              {t('act.skip')}
            </button>
          ) : null}
          {RELEASABLE.has(lead.status) ? (
            <button type="button" className="btn btn-ghost" onClick={() => onRelease(lead)}>
              {t('act.release')}
            </button>
          ) : null}
        </div>
      ) : null}
      {skipOpen ? skipMenu : null}
      {problem ? <ProblemBox error={problem} /> : null}

      {formOpen && !closed ? (
        <ActivityForm
          lead={lead}
          onCancel={() => {
            setFormOpen(false);
            requestAnimationFrame(() => activityButton.current?.focus());
          }}
          onDone={(updated) => {
            onLeadChange(updated);
            setFormOpen(false);
            setLocalHistoryKey((n) => n + 1);
            toasts.show({ kind: 'success', message: t('act.activityLogged') });
            requestAnimationFrame(() => activityButton.current?.focus());
          }}
        />
      ) : null}

      {!closed ? (
        <div className="status-actions" role="group" aria-labelledby={`lead-${String(lead.id)}-status`}>
          <span className="field-label" id={`lead-${String(lead.id)}-status`}>
            {t('act.setStatus')}
          </span>
          <div className="button-row">
            {WORK_STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                className={`btn btn-status btn-status-${s}`}
                disabled={busy !== null || lead.status === s}
                aria-pressed={lead.status === s}
                onClick={() => setStatus(s)}
              >
                {t(`status.${s}`)}
              </button>
            ))}
          </div>
        </div>
      ) : null}

      {error ? <ProblemBox error={error} /> : null}

      <h3 className="section-title">{t('pool.leadDetails')}</h3>
      <LeadFacts lead={lead} />
      <AttributeList lead={lead} />

      <EventList leadId={lead.id} refreshKey={historyKey + localHistoryKey} />
    </article>
  );
}
