import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n.js';
import { filtersToParams, hasActiveFilters, type Filters, filtersFromSearch } from '../lib/filters.js';
import { MAX_SEGMENTS, loadSegments, saveSegments, type Segment } from '../lib/segments.js';
import { useAuth } from '../state/auth.js';

/** Saved filters ("my segments"): apply with one click, save the current filters, remove. */
export function SegmentBar({ filters, onApply }: { filters: Filters; onApply: (f: Filters) => void }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const uid = String(user?.id ?? 'anon');
  const id = useId();
  const [list, setList] = useState<Segment[]>(() => loadSegments(uid));
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const current = filtersToParams(filters).toString();

  useEffect(() => {
    if (naming) input.current?.focus();
  }, [naming]);

  const update = (next: Segment[]) => {
    setList(next);
    saveSegments(uid, next);
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    update([{ name: n, query: current }, ...list.filter((s) => s.name !== n)].slice(0, MAX_SEGMENTS));
    setName('');
    setNaming(false);
  };

  const canSave = hasActiveFilters(filters) && !list.some((s) => s.query === current);

  return (
    <div className="segments" role="group" aria-labelledby={`${id}-label`}>
      <span className="segments-label" id={`${id}-label`}>
        {t('seg.title')}
      </span>
      {list.length === 0 && !naming ? <span className="muted small">{t('seg.none')}</span> : null}
      <ul className="segment-list">
        {list.map((s) => (
          <li key={s.name} className={s.query === current ? 'segment active' : 'segment'}>
            <button type="button" className="segment-apply" aria-pressed={s.query === current} onClick={() => onApply(filtersFromSearch(s.query))}>
              {s.name}
            </button>
            <button
              type="button"
              className="segment-remove"
              aria-label={t('seg.remove', { name: s.name })}
              onClick={() => update(list.filter((x) => x.name !== s.name))}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ul>
      {naming ? (
        <form className="segment-form" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && setNaming(false)}>
          <label htmlFor={`${id}-name`} className="sr-only">
            {t('seg.name')}
          </label>
          <input
            id={`${id}-name`}
            ref={input}
            value={name}
            maxLength={40}
            placeholder={t('seg.name')}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={!name.trim()}>
            {t('common.save')}
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setNaming(false)}>
            {t('common.cancel')}
          </button>
        </form>
      ) : canSave ? (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setNaming(true)}>
          {t('seg.save')}
        </button>
      ) : null}
      {list.length >= MAX_SEGMENTS ? <span className="muted small">{t('seg.full', { n: MAX_SEGMENTS })}</span> : null}
    </div>
  );
}
