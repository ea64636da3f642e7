import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import { ACTIVITY_TYPES, type ActivityType, type Lead } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { ProblemBox } from './ProblemBox.js';

/** The small "Log activity" form: type, note, submit. */
export function ActivityForm({ lead, onDone, onCancel }: { lead: Lead; onDone: (lead: Lead) => void; onCancel: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const [type, setType] = useState<ActivityType>('call');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const first = useRef<HTMLSelectElement>(null);

  useEffect(() => first.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { lead: updated } = await api.activity(lead.id, type, note.trim() || undefined);
      onDone(updated);
    } catch (err) {
      setError(describeError(err, i18n));
      setBusy(false);
    }
  };

  const label = (a: ActivityType) => (a === 'note' ? t('activity.note.type') : t(`activity.${a}`));

  return (
    <form
      className="activity-form"
      onSubmit={submit}
      aria-label={t('activity.form')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-type`}>{t('activity.type')}</label>
        <select id={`${id}-type`} ref={first} value={type} onChange={(e) => setType(e.target.value as ActivityType)}>
          {ACTIVITY_TYPES.map((a) => (
            <option key={a} value={a}>
              {label(a)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-note`}>{t('activity.note')}</label>
        <textarea
          id={`${id}-note`}
          rows={3}
          value={note}
          placeholder={t('activity.notePlaceholder')}
          onChange={(e) => setNote(e.target.value)}
          maxLength={4000}
        />
      </div>
      {error ? <ProblemBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('activity.submit')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
