import { useId } from 'react';
import { LEAD_FIELD_PATHS } from '../../api/integrations.js';
import { useI18n } from '../../i18n/i18n.js';

export interface MappingRow {
  key: number;
  from: string;
  /** A lead field path, or `attributes.` with `attr` as the name. */
  to: string;
  attr: string;
}

let nextKey = 1;
export const newRow = (from = '', to = '', attr = ''): MappingRow => ({ key: nextKey++, from, to, attr });

export function rowsFromMapping(m: Record<string, string>): MappingRow[] {
  return Object.entries(m).map(([from, to]) => (to.startsWith('attributes.') ? newRow(from, 'attributes.', to.slice('attributes.'.length)) : newRow(from, to)));
}

/** The mapping the API takes, or null when a row is half filled in. */
export function mappingFromRows(rows: MappingRow[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const r of rows) {
    if (!r.from.trim() && !r.to) continue;
    if (!r.from.trim() || !r.to || (r.to === 'attributes.' && !r.attr.trim())) return null;
    out[r.from.trim()] = r.to === 'attributes.' ? `attributes.${r.attr.trim()}` : r.to;
  }
  return out;
}

/** Form field → lead field rows (or a custom attribute), each labelled for screen readers. */
export function MappingEditor({ rows, onChange }: { rows: MappingRow[]; onChange: (rows: MappingRow[]) => void }) {
  const { t, tx } = useI18n();
  const id = useId();
  const set = (key: number, patch: Partial<MappingRow>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset className="field-set mapping-editor">
      <legend>{t('in.mapping')}</legend>
      <p className="muted small">{t('in.mappingHint')}</p>
      {rows.map((r, i) => (
        <div key={r.key} className="form-row mapping-row">
          <div className="field">
            <label htmlFor={`${id}-${r.key}-from`}>
              {t('in.formField')} {i + 1}
            </label>
            <input id={`${id}-${r.key}-from`} value={r.from} maxLength={200} onChange={(e) => set(r.key, { from: e.target.value })} autoComplete="off" />
          </div>
          <span aria-hidden="true" className="mapping-arrow">
            →
          </span>
          <div className="field">
            <label htmlFor={`${id}-${r.key}-to`}>
              {t('in.leadField')} {i + 1}
            </label>
            <select id={`${id}-${r.key}-to`} value={r.to} onChange={(e) => set(r.key, { to: e.target.value })}>
              <option value="">—</option>
              {LEAD_FIELD_PATHS.map((f) => (
                <option key={f} value={f}>
                  {tx(`field.${f}`, f)} ({f})
                </option>
              ))}
              <option value="attributes.">{t('in.attribute')} …</option>
            </select>
          </div>
          {r.to === 'attributes.' ? (
            <div className="field">
              <label htmlFor={`${id}-${r.key}-attr`}>
                {t('in.attrName')} {i + 1}
              </label>
              <input id={`${id}-${r.key}-attr`} value={r.attr} maxLength={100} pattern="[A-Za-z0-9_][A-Za-z0-9_.-]*" onChange={(e) => set(r.key, { attr: e.target.value })} />
            </div>
          ) : null}
          <button type="button" className="icon-btn" aria-label={t('in.removeRow', { field: r.from || String(i + 1) })} onClick={() => onChange(rows.filter((x) => x.key !== r.key))}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, newRow()])}>
        {t('in.addRow')}
      </button>
    </fieldset>
  );
}
