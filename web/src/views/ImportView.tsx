import { useId, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client.js';
import type { CsvRowError, ImportResult } from '../api/types.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { sortPools } from './HomeView.js';
import { Forbidden } from './UsersView.js';

type Outcome =
  | { kind: 'ok'; result: ImportResult; file: string }
  | { kind: 'bad'; errors: CsvRowError[]; badRows: number; rows: number; message: string; file: string }
  | { kind: 'error'; error: ShownError };

/** CSV import with a dry run and the line-by-line error report (any bad row imports nothing). */
export function ImportView() {
  const i18n = useI18n();
  const { t, number } = i18n;
  const { isManager } = useAuth();
  const { pools, reload } = usePools();
  const id = useId();
  useTitle(t('import.title'));
  const [poolId, setPoolId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const chosenPool = poolId || (pools && pools.length ? String(sortPools(pools)[0]!.id) : '');

  const run = async (dryRun: boolean) => {
    if (!file) return setFormError(t('import.noFile'));
    if (!chosenPool) return setFormError(t('import.noPool'));
    setFormError(null);
    setBusy(dryRun ? 'check' : 'import');
    setOutcome(null);
    try {
      const result = await api.importCsv(chosenPool, file, dryRun);
      setOutcome({ kind: 'ok', result, file: file.name });
      if (!dryRun) reload();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'BAD_CSV') {
        const d = err.details ?? {};
        const errors = Array.isArray(d['errors']) ? (d['errors'] as CsvRowError[]) : [];
        const rows = typeof d['rows'] === 'number' ? d['rows'] : 0;
        const badRows = typeof d['badRows'] === 'number' ? d['badRows'] : errors.length;
        setOutcome({ kind: 'bad', errors, rows, badRows, message: err.message, file: file.name });
      } else {
        setOutcome({ kind: 'error', error: describeError(err, i18n) });
      }
    } finally {
      setBusy(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(false);
  };

  if (!isManager) return <Forbidden title={t('import.title')} />;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('import.title')}</h1>
          <p className="muted">{t('import.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageImport" />
      <section className="card" aria-labelledby={`${id}-form`}>
        <h2 id={`${id}-form`}>{t('import.upload')}</h2>
        <form className="create-form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor={`${id}-pool`}>{t('import.pool')}</label>
            <select id={`${id}-pool`} value={chosenPool} onChange={(e) => setPoolId(e.target.value)}>
              {sortPools(pools ?? []).map((p) => (
                <option key={String(p.id)} value={String(p.id)}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-file`}>{t('import.file')}</label>
            <input
              id={`${id}-file`}
              type="file"
              accept=".csv,text/csv"
              aria-describedby={`${id}-file-hint`}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setOutcome(null);
              }}
            />
            <span className="muted small" id={`${id}-file-hint`}>
              {t('import.fileHint')}
            </span>
          </div>
          {formError ? (
            <p className="form-note" role="alert">
              {formError}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="button" className="btn" disabled={busy !== null} onClick={() => void run(true)}>
              {busy === 'check' ? t('import.checking') : t('import.check')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy !== null}>
              {busy === 'import' ? t('import.importing') : t('import.submit')}
            </button>
          </div>
        </form>
      </section>
      <div aria-live="polite">
        {busy ? <Loading label={busy === 'check' ? t('import.checking') : t('import.importing')} /> : null}
        {outcome?.kind === 'error' ? <ProblemBox error={outcome.error} /> : null}
        {outcome?.kind === 'ok' ? (
          <section className="card import-ok" aria-label={t('import.result')}>
            <p className="state-title">
              {outcome.result.dryRun
                ? t('import.dryOk', { n: number(outcome.result.rows), file: outcome.file })
                : t('import.done', { created: number(outcome.result.created), existing: number(outcome.result.existing), file: outcome.file })}
            </p>
            <h3 className="section-title">{t('import.columns')}</h3>
            <ul className="column-map">
              {outcome.result.columns.map((c) => (
                <li key={c.header}>
                  <span className="mono">{c.header}</span> → <span className="mono">{c.field}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {outcome?.kind === 'bad' ? (
          <section className="card import-bad" aria-labelledby={`${id}-bad`}>
            <h2 id={`${id}-bad`}>{t('import.badTitle', { bad: number(outcome.badRows), rows: number(outcome.rows), file: outcome.file })}</h2>
            <p className="muted">{t('import.badHint')}</p>
            {outcome.errors.length ? (
              <div className="table-wrap">
                <table className="data-table error-report">
                  <caption className="sr-only">{t('import.report')}</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="num">{t('import.line')}</th>
                      <th scope="col">{t('import.field')}</th>
                      <th scope="col">{t('import.problem')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {outcome.errors.flatMap((e) =>
                      e.problems.map((p, j) => (
                        <tr key={`${e.line}-${j}`}>
                          {j === 0 ? (
                            <th scope="row" rowSpan={e.problems.length} className="num">
                              {number(e.line)}
                            </th>
                          ) : null}
                          <td className="mono">{p.field}</td>
                          <td>{p.problem}</td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </div>
            ) : (
              <p>{outcome.message}</p>
            )}
            {outcome.badRows > outcome.errors.length ? (
              <p className="muted small">{t('import.more', { n: number(outcome.badRows - outcome.errors.length) })}</p>
            ) : null}
          </section>
        ) : null}
      </div>
    </div>
  );
}
