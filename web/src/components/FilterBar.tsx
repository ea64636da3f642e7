import { useId, useState } from 'react';
import { FACET_KEYS, type FacetKey, type Facets } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { EMPTY_FILTERS, MAX_AGE_CHOICES, hasActiveFilters, sortFacetValues, type Filters } from '../lib/filters.js';
import { MultiSelect } from './MultiSelect.js';

interface Props {
  filters: Filters;
  onChange: (next: Filters) => void;
  facets: Facets | null;
  /** Which facet filters to offer (the fields the viewer can see). */
  facetKeys: FacetKey[];
  showScore: boolean;
  showAge: boolean;
  showSearch: boolean;
}

export function FilterBar({ filters, onChange, facets, facetKeys, showScore, showAge, showSearch }: Props) {
  const { t } = useI18n();
  const id = useId();
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => onChange({ ...filters, [key]: value });
  const active = hasActiveFilters(filters);
  const [open, setOpen] = useState(false);
  const count =
    FACET_KEYS.reduce((n, k) => n + (filters[k].length ? 1 : 0), 0) +
    (filters.minScore.trim() || filters.maxScore.trim() ? 1 : 0) +
    (filters.maxAgeMinutes ? 1 : 0);

  return (
    <div className={open ? 'filter-bar open' : 'filter-bar'} role="search" aria-label={t('pool.filters')}>
      {showSearch ? (
        <div className="field field-search">
          <label htmlFor={`${id}-q`}>{t('pool.search')}</label>
          <input
            id={`${id}-q`}
            type="search"
            value={filters.q}
            placeholder={t('pool.searchPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set('q', e.target.value)}
          />
        </div>
      ) : null}
      {/* On a phone the filters fold away behind this button; the search stays. */}
      <button
        type="button"
        className="btn btn-small filter-toggle"
        aria-expanded={open}
        aria-controls={`${id}-extra`}
        onClick={() => setOpen((o) => !o)}
      >
        {t('pool.filters')}
        {count ? ` (${count})` : ''}
        <span aria-hidden="true" className="chevron">
          {open ? '▴' : '▾'}
        </span>
      </button>
      <div className="filter-extra" id={`${id}-extra`}>
        {FACET_KEYS.filter((k) => facetKeys.includes(k)).map((k) => (
          <MultiSelect
            key={k}
            label={t(`field.${k}`)}
            options={sortFacetValues(k, facets?.[k] ?? [])}
            value={filters[k]}
            onChange={(v) => set(k, v)}
          />
        ))}
        {showScore ? (
          <div className="field-pair">
            <div className="field field-num">
              <label htmlFor={`${id}-min`}>{t('pool.minScore')}</label>
              <input
                id={`${id}-min`}
                type="number"
                inputMode="numeric"
                min={0}
                max={100}
                value={filters.minScore}
                onChange={(e) => set('minScore', e.target.value)}
              />
            </div>
            <div className="field field-num">
              <label htmlFor={`${id}-max`}>{t('pool.maxScore')}</label>
              <input
                id={`${id}-max`}
                type="number"
                inputMode="numeric"
                min={0}
                max={100}
                value={filters.maxScore}
                onChange={(e) => set('maxScore', e.target.value)}
              />
            </div>
          </div>
        ) : null}
        {showAge ? (
          <div className="field">
            <label htmlFor={`${id}-age`}>{t('pool.maxAge')}</label>
            <select id={`${id}-age`} value={filters.maxAgeMinutes} onChange={(e) => set('maxAgeMinutes', e.target.value)}>
              <option value="">{t('pool.anyAge')}</option>
              {MAX_AGE_CHOICES.map((c) => (
                <option key={c.minutes} value={String(c.minutes)}>
                  {t(c.key)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {active ? (
        <button
          type="button"
          className="btn btn-ghost btn-small filter-clear"
          onClick={() => onChange({ ...EMPTY_FILTERS, sort: filters.sort, order: filters.order })}
        >
          {t('pool.clearFilters')}
        </button>
      ) : null}
    </div>
  );
}
