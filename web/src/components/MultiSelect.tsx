import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.js';

interface Props {
  label: string;
  options: string[];
  value: string[];
  onChange: (next: string[]) => void;
}

/**
 * A filter dropdown: a button that names the filter and how many values are picked,
 * opening a list of checkboxes. Escape or a click outside closes it.
 */
export function MultiSelect({ label, options, value, onChange }: Props) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const toggle = (opt: string) => {
    onChange(value.includes(opt) ? value.filter((v) => v !== opt) : [...value, opt]);
  };

  const summary = value.length === 0 ? t('pool.selectAll') : value.length === 1 ? value[0] : t('pool.selected', { n: value.length });

  return (
    <div
      className="multiselect"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
      onBlur={(e) => {
        if (open && root.current && !root.current.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <span className="field-label" id={`${id}-label`}>
        {label}
      </span>
      <button
        ref={button}
        type="button"
        className={value.length ? 'select-button active' : 'select-button'}
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-labelledby={`${id}-label ${id}-value`}
        onClick={() => setOpen((o) => !o)}
      >
        <span id={`${id}-value`} className="select-value">
          {summary}
        </span>
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </button>
      {open ? (
        <fieldset className="popover" id={`${id}-list`}>
          <legend className="sr-only">{label}</legend>
          {options.length === 0 ? <p className="muted small">{t('pool.noOptions')}</p> : null}
          {options.map((opt) => (
            <label key={opt} className="check">
              <input type="checkbox" checked={value.includes(opt)} onChange={() => toggle(opt)} />
              <span>{opt}</span>
            </label>
          ))}
          {value.length ? (
            <button type="button" className="btn btn-small btn-ghost" onClick={() => onChange([])}>
              {t('pool.clearFilters')}
            </button>
          ) : null}
        </fieldset>
      ) : null}
    </div>
  );
}
