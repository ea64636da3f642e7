import { useId, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n/i18n.js';

/** A problem the server named for one field, shown under it (give its id to aria-describedby). */
export function FieldError({ id, problem }: { id: string; problem: string | undefined }) {
  if (!problem) return null;
  return (
    <span className="field-error" id={id}>
      {problem}
    </span>
  );
}

/** aria props for an input with an optional problem. */
export function invalidProps(id: string, problem: string | undefined): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return problem ? { 'aria-invalid': true, 'aria-describedby': id } : {};
}

/**
 * A list of text values as removable chips, with a text box (suggestions from `options`)
 * to add more: Enter or the Add button adds, each chip has its own Remove button.
 */
export function ValuesField({
  label,
  value,
  onChange,
  options = [],
  problem,
  placeholder,
}: {
  label: string;
  value: string[];
  onChange: (next: string[]) => void;
  options?: string[];
  problem?: string | undefined;
  placeholder?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const add = () => {
    const parts = text
      .split(/[,;]/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (!parts.length) return;
    const next = [...value];
    for (const p of parts) if (!next.some((v) => v.toLowerCase() === p.toLowerCase())) next.push(p);
    onChange(next);
    setText('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    } else if (e.key === 'Backspace' && text === '' && value.length) {
      onChange(value.slice(0, -1));
    }
  };
  const suggestions = options.filter((o) => !value.some((v) => v.toLowerCase() === o.toLowerCase()));
  return (
    <div className="field values-field">
      <label htmlFor={`${id}-in`}>{label}</label>
      {value.length ? (
        <ul className="chips" aria-label={t('values.chosen', { label })}>
          {value.map((v) => (
            <li key={v} className="chip">
              <span>{v}</span>
              <button type="button" className="chip-remove" aria-label={t('values.remove', { value: v, label })} onClick={() => onChange(value.filter((x) => x !== v))}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="values-add">
        <input
          id={`${id}-in`}
          value={text}
          list={suggestions.length ? `${id}-list` : undefined}
          placeholder={placeholder ?? (value.length ? t('values.addMore') : t('values.any'))}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          onBlur={() => {
            if (text.trim() && options.some((o) => o.toLowerCase() === text.trim().toLowerCase())) add();
          }}
          {...invalidProps(`${id}-err`, problem)}
        />
        <button type="button" className="btn btn-small" onClick={add} disabled={!text.trim()} aria-label={t('values.addTo', { label })}>
          {t('values.add')}
        </button>
      </div>
      {suggestions.length ? (
        <datalist id={`${id}-list`}>
          {suggestions.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      ) : null}
      <FieldError id={`${id}-err`} problem={problem} />
    </div>
  );
}
