import '../i18n/setup-messages.js';
import { Fragment, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import type { CsvRowError, NamedAccount, User } from '../api/types.js';
import { FieldError, invalidProps } from '../components/FieldBits.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { fieldProblems, problemAt } from '../lib/fields.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { useToasts } from '../state/toasts.js';
import { Forbidden } from './UsersView.js';

const splitDomains = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);

/** Named accounts: a company's domains, its owner (leads from it are pushed to them) and whether it is a customer. */
export function AccountsView() {
  const i18n = useI18n();
  const { t, number } = i18n;
  const { isManager } = useAuth();
  const toasts = useToasts();
  const id = useId();
  useTitle(t('accounts.title'));
  const [items, setItems] = useState<NamedAccount[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.accounts(c.signal).then(
      ({ items }) => {
        setItems([...items].sort((a, b) => a.name.localeCompare(b.name)));
        setError(null);
      },
      (err: unknown) => !isAbort(err) && setError(err),
    );
    return () => c.abort();
  }, [key, isManager]);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.users(c.signal).then(
      ({ items }) => setUsers([...items].sort((a, b) => Number(a.role !== 'rep') - Number(b.role !== 'rep') || a.name.localeCompare(b.name))),
      () => undefined,
    );
    return () => c.abort();
  }, [isManager]);

  const shown = useMemo(() => {
    const s = q.trim().toLowerCase();
    if (!items || !s) return items;
    return items.filter((a) => a.name.toLowerCase().includes(s) || a.domains.some((d) => d.includes(s)));
  }, [items, q]);

  if (!isManager) return <Forbidden title={t('accounts.title')} />;

  const ownerName = (uid: number) => users.find((u) => Number(u.id) === uid)?.name ?? `#${uid}`;

  const remove = async (a: NamedAccount) => {
    try {
      await api.deleteAccount(a.id);
      setItems((cur) => (cur ? cur.filter((x) => x.id !== a.id) : cur));
      toasts.show({ kind: 'success', message: t('accounts.deleted', { name: a.name }) });
    } catch (err) {
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    } finally {
      setConfirming(null);
    }
  };

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{t('accounts.title')}</h1>
          <p className="muted">{t('accounts.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageAccounts" />
      <section className="card" aria-labelledby={`${id}-add`}>
        <h2 id={`${id}-add`}>{t('accounts.add')}</h2>
        <AccountForm
          users={users}
          submitLabel={t('accounts.create')}
          onSubmit={(body) => api.createAccount(body)}
          onDone={(a) => {
            setItems((cur) => (cur ? [...cur, a].sort((x, y) => x.name.localeCompare(y.name)) : cur));
            toasts.show({ kind: 'success', message: t('accounts.created', { name: a.name }) });
          }}
          resetOnDone
        />
      </section>
      <section className="card" aria-labelledby={`${id}-list`}>
        <div className="card-head">
          <h2 id={`${id}-list`}>{items ? t('accounts.listN', { n: number(items.length) }) : t('accounts.list')}</h2>
          <div className="field field-inline">
            <label htmlFor={`${id}-q`}>{t('accounts.search')}</label>
            <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          </div>
        </div>
        {!items && error ? (
          <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
        ) : !items || !shown ? (
          <Loading compact />
        ) : items.length === 0 ? (
          <Empty title={t('accounts.empty')}>
            <p className="muted">{t('accounts.emptyHint')}</p>
          </Empty>
        ) : shown.length === 0 ? (
          <Empty title={t('accounts.noMatch', { q })} />
        ) : (
          <div className="table-wrap">
            <table className="data-table accounts-table">
              <caption className="sr-only">{t('accounts.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('accounts.name')}</th>
                  <th scope="col">{t('accounts.domains')}</th>
                  <th scope="col">{t('accounts.owner')}</th>
                  <th scope="col">{t('accounts.customer')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('field.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((a) => (
                  <Fragment key={a.id}>
                    <tr>
                      <th scope="row">{a.name}</th>
                      <td className="mono small">{a.domains.join(', ') || '—'}</td>
                      <td>{ownerName(a.ownerId)}</td>
                      <td>{a.customer ? <span className="badge badge-ok">{t('accounts.isCustomer')}</span> : <span className="muted">{t('accounts.notCustomer')}</span>}</td>
                      <td>
                        {confirming === a.id ? (
                          <div className="button-row confirm-row" role="group" aria-label={t('accounts.confirmDelete', { name: a.name })}>
                            <span className="small">{t('accounts.confirmDelete', { name: a.name })}</span>
                            <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(a)} autoFocus>
                              {t('accounts.delete')}
                            </button>
                            <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirming(null)}>
                              {t('common.cancel')}
                            </button>
                          </div>
                        ) : (
                          <div className="button-row">
                            <button
                              type="button"
                              className="btn btn-small"
                              aria-expanded={editing === a.id}
                              aria-label={t('accounts.editFor', { name: a.name })}
                              onClick={() => setEditing((e) => (e === a.id ? null : a.id))}
                            >
                              {editing === a.id ? t('common.close') : t('manage.edit')}
                            </button>
                            <button type="button" className="btn btn-small btn-ghost" aria-label={t('accounts.deleteFor', { name: a.name })} onClick={() => setConfirming(a.id)}>
                              {t('accounts.delete')}
                            </button>
                          </div>
                        )}
                      </td>
                    </tr>
                    {editing === a.id ? (
                      <tr className="edit-row">
                        <td colSpan={5}>
                          <AccountForm
                            users={users}
                            initial={a}
                            submitLabel={t('common.save')}
                            onSubmit={(body) => api.updateAccount(a.id, body)}
                            onDone={(saved) => {
                              setItems((cur) => (cur ? cur.map((x) => (x.id === saved.id ? saved : x)) : cur));
                              setEditing(null);
                              toasts.show({ kind: 'success', message: t('accounts.saved', { name: saved.name }) });
                            }}
                            onCancel={() => setEditing(null)}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <AccountImport onImported={() => setKey((k) => k + 1)} />
    </div>
  );
}

function AccountForm({
  users,
  initial,
  submitLabel,
  onSubmit,
  onDone,
  onCancel,
  resetOnDone,
}: {
  users: User[];
  initial?: NamedAccount;
  submitLabel: string;
  onSubmit: (body: Omit<NamedAccount, 'id'>) => Promise<NamedAccount>;
  onDone: (a: NamedAccount) => void;
  onCancel?: () => void;
  resetOnDone?: boolean;
}) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [domains, setDomains] = useState(initial?.domains.join(', ') ?? '');
  const [owner, setOwner] = useState(initial ? String(initial.ownerId) : '');
  const [customer, setCustomer] = useState(initial?.customer ?? false);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<ShownError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local['name'] = t('accounts.nameRequired');
    if (!owner) local['ownerId'] = t('accounts.ownerRequired');
    if (Object.keys(local).length) {
      setProblems(local);
      setError({ code: 'LOCAL', message: t('accounts.fix') });
      return;
    }
    setBusy(true);
    setError(null);
    setProblems({});
    try {
      const a = await onSubmit({ name: name.trim(), domains: splitDomains(domains), ownerId: Number(owner), customer });
      if (resetOnDone) {
        setName('');
        setDomains('');
        setCustomer(false);
      }
      onDone(a);
    } catch (err) {
      setProblems(fieldProblems(err));
      setError(err instanceof ApiError && err.fields.length ? { code: err.code, message: t('accounts.fix') } : describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const pName = problemAt(problems, 'name');
  const pDomains = problemAt(problems, 'domains');
  const pOwner = problemAt(problems, 'ownerId');
  return (
    <form className="create-form" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={`${id}-name`}>{t('accounts.name')}</label>
        <input id={`${id}-name`} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} {...invalidProps(`${id}-name-err`, pName)} />
        <FieldError id={`${id}-name-err`} problem={pName} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-domains`}>{t('accounts.domains')}</label>
        <input
          id={`${id}-domains`}
          value={domains}
          placeholder="example.de, example.com"
          onChange={(e) => setDomains(e.target.value)}
          aria-invalid={pDomains ? true : undefined}
          aria-describedby={`${id}-domains-hint${pDomains ? ` ${id}-domains-err` : ''}`}
        />
        <span className="muted small" id={`${id}-domains-hint`}>
          {t('accounts.domainsHint')}
        </span>
        <FieldError id={`${id}-domains-err`} problem={pDomains} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-owner`}>{t('accounts.owner')}</label>
        <select id={`${id}-owner`} value={owner} onChange={(e) => setOwner(e.target.value)} {...invalidProps(`${id}-owner-err`, pOwner)}>
          <option value="">{t('accounts.chooseOwner')}</option>
          {users.map((u) => (
            <option key={String(u.id)} value={String(u.id)}>
              {u.name} ({tx(`role.${u.role}`, u.role)})
            </option>
          ))}
        </select>
        <FieldError id={`${id}-owner-err`} problem={pOwner} />
      </div>
      <label className="check account-customer">
        <input type="checkbox" checked={customer} onChange={(e) => setCustomer(e.target.checked)} />
        <span>{t('accounts.customerCheck')}</span>
      </label>
      {error ? <ProblemBox error={error} className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

type ImportOutcome =
  | { kind: 'ok'; created: number; updated: number; file: string }
  | { kind: 'bad'; errors: CsvRowError[]; rows: number; message: string; file: string }
  | { kind: 'error'; error: ShownError };

function AccountImport({ onImported }: { onImported: () => void }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setNote(t('import.noFile'));
    setNote(null);
    setBusy(true);
    setOutcome(null);
    try {
      const r = await api.importAccounts(file);
      setOutcome({ kind: 'ok', ...r, file: file.name });
      onImported();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'BAD_CSV') {
        const d = err.details ?? {};
        setOutcome({
          kind: 'bad',
          errors: Array.isArray(d['errors']) ? (d['errors'] as CsvRowError[]) : [],
          rows: typeof d['rows'] === 'number' ? d['rows'] : 0,
          message: err.message,
          file: file.name,
        });
      } else setOutcome({ kind: 'error', error: describeError(err, i18n) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('accounts.import')}</h2>
      <p className="muted small">{t('accounts.importHint')}</p>
      <pre className="csv-sample" aria-label={t('accounts.sample')}>
        name,domains,owner,customer{'\n'}Muster GmbH,muster.de;muster.com,rep1@demo.test,yes
      </pre>
      <form className="create-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-file`}>{t('accounts.csvFile')}</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setOutcome(null);
            }}
          />
        </div>
        {note ? (
          <p className="form-note" role="alert">
            {note}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('import.importing') : t('accounts.importSubmit')}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {busy ? <Loading compact label={t('import.importing')} /> : null}
        {outcome?.kind === 'error' ? <ProblemBox error={outcome.error} /> : null}
        {outcome?.kind === 'ok' ? (
          <p className="state-title import-ok">
            {t('accounts.imported', { created: number(outcome.created), updated: number(outcome.updated), file: outcome.file })}
          </p>
        ) : null}
        {outcome?.kind === 'bad' ? (
          <div className="import-bad">
            <h3>{t('accounts.badTitle', { bad: number(outcome.errors.length), rows: number(outcome.rows), file: outcome.file })}</h3>
            <p className="muted small">{t('import.badHint')}</p>
            {outcome.errors.length ? (
              <div className="table-wrap">
                <table className="data-table error-report">
                  <caption className="sr-only">{t('import.report')}</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        {t('import.line')}
                      </th>
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
          </div>
        ) : null}
      </div>
    </section>
  );
}
