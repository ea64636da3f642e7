import '../i18n/setup-messages.js';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import { POOL_MODES, PREVIEW_FIELDS, type Pool, type PoolMode, type PoolRules, type PreviewField } from '../api/types.js';
import { ModeBadge } from '../components/Badges.js';
import { RulesEditor, fromDraft, rulesSummary, toDraft, type RulesDraft } from '../components/RulesEditor.js';
import {
  AccessEditor,
  EscalationEditor,
  fromAccessDraft,
  fromEscalationDraft,
  toAccessDraft,
  toEscalationDraft,
  type AccessDraft,
  type EscalationDraft,
} from '../components/PoolRoutingEditor.js';
import { accessWords } from '../lib/routing-words.js';
import { fieldProblems } from '../lib/fields.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { Link, paths } from '../lib/router.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { sortPools } from './HomeView.js';

const DEFAULT_PREVIEW: PreviewField[] = ['company', 'industry', 'companySize', 'source', 'score', 'region', 'createdAt'];

function parseMinutes(text: string): number | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 1440 ? n : null;
}

export function ManagePoolsView() {
  const { t } = useI18n();
  const { isManager } = useAuth();
  const { pools, error, reload } = usePools();
  const [teams, setTeams] = useState<string[]>([]);
  useTitle(t('manage.title'));

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.reps(c.signal).then(
      ({ items }) => setTeams([...new Set(items.map((r) => r.team).filter((x): x is string => !!x))].sort()),
      () => undefined,
    );
    return () => c.abort();
  }, [isManager]);

  if (!isManager) {
    return (
      <div className="page">
        <h1>{t('manage.title')}</h1>
        <p className="notice notice-warn">{t('manage.forbidden')}</p>
      </div>
    );
  }

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('manage.title')}</h1>
          <p className="muted">{t('manage.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="managePools" />
      <TeamDefaults onSaved={reload} />
      <CreatePoolForm onCreated={reload} />
      <section aria-labelledby="existing-pools" className="card">
        <h2 id="existing-pools">{t('manage.existing')}</h2>
        {!pools && error ? (
          <ErrorState error={error} onRetry={reload} />
        ) : !pools ? (
          <Loading />
        ) : pools.length === 0 ? (
          <Empty title={t('manage.empty')} />
        ) : (
          <ul className="pool-settings">
            {sortPools(pools).map((p) => (
              <li key={String(p.id)}>
                <PoolSettingsRow pool={p} onSaved={reload} teams={teams} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function CreatePoolForm({ onCreated }: { onCreated: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [name, setName] = useState('');
  const [mode, setMode] = useState<PoolMode>('pool');
  const [minutes, setMinutes] = useState('15');
  const [preview, setPreview] = useState<PreviewField[]>(DEFAULT_PREVIEW);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    const mins = parseMinutes(minutes);
    if (!trimmed) return setError({ code: 'LOCAL', message: t('manage.nameRequired') });
    if (mins === null) return setError({ code: 'LOCAL', message: t('manage.lockInvalid') });
    setBusy(true);
    setError(null);
    try {
      await api.createPool({ name: trimmed, mode, lockTtlSeconds: mins * 60, previewFields: preview });
      toasts.show({ kind: 'success', message: t('manage.created', { name: trimmed }) });
      setName('');
      onCreated();
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('manage.create')}</h2>
      <form className="create-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('manage.name')}</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-mode`}>{t('manage.mode')}</label>
          <select
            id={`${id}-mode`}
            value={mode}
            onChange={(e) => setMode(e.target.value as PoolMode)}
            aria-describedby={`${id}-mode-hint`}
          >
            {POOL_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`mode.${m}`)}
              </option>
            ))}
          </select>
          <span className="muted small" id={`${id}-mode-hint`}>
            {t(`modeHint.${mode}`)}
          </span>
        </div>
        <div className="field field-num">
          <label htmlFor={`${id}-lock`}>{t('manage.lockMinutes')}</label>
          <input
            id={`${id}-lock`}
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            required
          />
        </div>
        {mode === 'pool' ? (
          <fieldset className="field-set">
            <legend>{t('manage.previewFields')}</legend>
            <div className="check-grid">
              {PREVIEW_FIELDS.map((f) => (
                <label key={f} className="check">
                  <input
                    type="checkbox"
                    checked={preview.includes(f)}
                    onChange={() => setPreview((p) => (p.includes(f) ? p.filter((x) => x !== f) : [...p, f]))}
                  />
                  <span>{t(`field.${f}`)}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        {error ? (
          <div className="form-error" role="alert">
            <p>{error.message}</p>
          </div>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('manage.createSubmit')}
          </button>
        </div>
      </form>
    </section>
  );
}

function PoolSettingsRow({ pool, onSaved, teams }: { pool: Pool; onSaved: () => void; teams: string[] }) {
  const i18n = useI18n();
  const { t, number, tx } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(pool.name);
  const [mode, setMode] = useState<PoolMode>(pool.mode);
  const [minutes, setMinutes] = useState(String(Math.round(pool.lockTtlSeconds / 60)));
  const [preview, setPreview] = useState<PreviewField[]>(pool.previewFields.filter((f): f is PreviewField => (PREVIEW_FIELDS as readonly string[]).includes(f)));
  const [own, setOwn] = useState(pool.rules !== null && pool.rules !== undefined);
  const [draft, setDraft] = useState<RulesDraft>(() => toDraft(pool.rules ?? pool.effectiveRules));
  const [bad, setBad] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [escalation, setEscalation] = useState<EscalationDraft>(() => toEscalationDraft(pool.escalation));
  const [access, setAccess] = useState<AccessDraft>(() => toAccessDraft(pool.access));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [industries, setIndustries] = useState<string[]>([]);

  useEffect(() => {
    if (!open) return;
    const c = new AbortController();
    api.facets(pool.id, c.signal).then(
      (f) => setIndustries(f.industry),
      () => undefined,
    );
    return () => c.abort();
  }, [open, pool.id]);

  const reset = () => {
    setEscalation(toEscalationDraft(pool.escalation));
    setAccess(toAccessDraft(pool.access));
    setProblems({});
    setName(pool.name);
    setMode(pool.mode);
    setMinutes(String(Math.round(pool.lockTtlSeconds / 60)));
    setPreview(pool.previewFields.filter((f): f is PreviewField => (PREVIEW_FIELDS as readonly string[]).includes(f)));
    setOwn(pool.rules !== null && pool.rules !== undefined);
    setDraft(toDraft(pool.rules ?? pool.effectiveRules));
    setBad([]);
    setError(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const mins = parseMinutes(minutes);
    if (!name.trim()) return setError({ code: 'LOCAL', message: t('manage.nameRequired') });
    if (mins === null) return setError({ code: 'LOCAL', message: t('manage.lockInvalid') });
    if (preview.length === 0) return setError({ code: 'LOCAL', message: t('manage.previewRequired') });
    const parsed = fromDraft(draft);
    if (own && parsed.bad.length) {
      setBad(parsed.bad);
      return setError({ code: 'LOCAL', message: t('rules.invalid') });
    }
    setBad([]);
    setBusy(true);
    setError(null);
    setProblems({});
    try {
      await api.updatePool(pool.id, {
        ...(name.trim() !== pool.name ? { name: name.trim() } : {}),
        mode,
        lockTtlSeconds: mins * 60,
        previewFields: preview,
        rules: own ? parsed.rules : null,
        escalation: fromEscalationDraft(escalation),
        access: fromAccessDraft(access),
      });
      toasts.show({ kind: 'success', message: t('manage.saved', { name: name.trim() }) });
      setOpen(false);
      onSaved();
    } catch (err) {
      setProblems(fieldProblems(err));
      setError(err instanceof ApiError && err.fields.length ? { code: err.code, message: t('manage.invalidFields', { n: err.fields.length }) } : describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const sub = (prefix: string) =>
    Object.fromEntries(
      Object.entries(problems)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const escSteps = pool.escalation?.steps.length ?? 0;
  const accessSet = Object.entries(pool.access ?? {});

  return (
    <div className="pool-setting-card">
      <div className="pool-setting">
        <div className="pool-setting-name">
          <Link to={paths.pool(pool.id)} className="strong-link">
            {pool.name}
          </Link>
          <span className="muted small">
            <ModeBadge mode={pool.mode} /> {t('home.available', { n: number(pool.available) })} ·{' '}
            {t('home.lockInfo', { min: Math.round(pool.lockTtlSeconds / 60) })}
            {pool.isDefault ? <> · {t('common.default')}</> : null}
          </span>
          <span className="muted small">
            {pool.rules ? t('manage.ownRules') : t('manage.teamRules')}: {rulesSummary(pool.effectiveRules, t)}
          </span>
          <span className="muted small">
            {t('esc.summary', { n: escSteps })}
            {pool.escalation?.backstopHours !== undefined ? ` · ${t('esc.backstopSum', { h: number(pool.escalation.backstopHours) })}` : ''}
            {accessSet.length
              ? ` · ${accessSet.map(([tier, a]) => `${tx(`tier.${tier}`, tier)}: ${accessWords(a, i18n)}`).join(' · ')}`
              : ''}
          </span>
        </div>
        <button
          type="button"
          className="btn btn-small"
          aria-expanded={open}
          aria-controls={`${id}-form`}
          aria-label={t('manage.editFor', { name: pool.name })}
          onClick={() => {
            if (!open) reset();
            setOpen((o) => !o);
          }}
        >
          {open ? t('common.close') : t('manage.edit')}
        </button>
      </div>
      {open ? (
        <form className="pool-edit" id={`${id}-form`} onSubmit={save} noValidate>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-name`}>{t('manage.name')}</label>
              <input id={`${id}-name`} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-mode`}>{t('manage.mode')}</label>
              <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.target.value as PoolMode)} aria-describedby={`${id}-mode-hint`}>
                {POOL_MODES.map((m) => (
                  <option key={m} value={m}>
                    {t(`mode.${m}`)}
                  </option>
                ))}
              </select>
              <span className="muted small" id={`${id}-mode-hint`}>
                {t(`modeHint.${mode}`)}
              </span>
            </div>
            <div className="field field-num">
              <label htmlFor={`${id}-lock`}>{t('manage.lockMinutes')}</label>
              <input
                id={`${id}-lock`}
                type="number"
                inputMode="numeric"
                min={1}
                max={1440}
                step={1}
                value={minutes}
                onChange={(e) => setMinutes(e.target.value)}
              />
            </div>
          </div>
          <fieldset className="field-set">
            <legend>{t('manage.previewFields')}</legend>
            <div className="check-grid">
              {PREVIEW_FIELDS.map((f) => (
                <label key={f} className="check">
                  <input
                    type="checkbox"
                    checked={preview.includes(f)}
                    onChange={() => setPreview((p) => (p.includes(f) ? p.filter((x) => x !== f) : [...p, f]))}
                  />
                  <span>{t(`field.${f}`)}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset className="field-set">
            <legend>{t('manage.rules')}</legend>
            <div className="radio-row">
              <label className="check">
                <input type="radio" name={`${id}-own`} checked={!own} onChange={() => setOwn(false)} />
                <span>{t('manage.followTeam')}</span>
              </label>
              <label className="check">
                <input type="radio" name={`${id}-own`} checked={own} onChange={() => setOwn(true)} />
                <span>{t('manage.useOwn')}</span>
              </label>
            </div>
            {own ? <RulesEditor value={draft} onChange={setDraft} bad={bad} /> : null}
          </fieldset>
          <EscalationEditor value={escalation} onChange={setEscalation} teams={teams} problems={sub('escalation.')} />
          <AccessEditor value={access} onChange={setAccess} industries={industries} problems={sub('access.')} isQueue={mode === 'queue'} />
          {error ? (
            <div className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} role="alert">
              <p>{error.message}</p>
              {Object.keys(problems).length ? (
                <ul className="problem-list">
                  {Object.entries(problems).map(([f, p]) => (
                    <li key={f}>
                      <span className="mono">{f}</span>: {p}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy} aria-label={t('manage.saveFor', { name: pool.name })}>
              {busy ? t('common.saving') : t('common.save')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

/** The team's default rules (pools without their own follow them) and the team board switch. */
function TeamDefaults({ onSaved }: { onSaved: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [seed, setSeed] = useState<PoolRules | null>(null);
  const [draft, setDraft] = useState<RulesDraft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [bad, setBad] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [board, setBoard] = useState<boolean | null>(null);
  const [key, setKey] = useState(0);

  useEffect(() => {
    const c = new AbortController();
    api.teamRules(c.signal).then(
      (r) => {
        setDraft(toDraft(r.rules));
        setSeed(r.seedDefaults);
        setLoadError(null);
      },
      (err: unknown) => !isAbort(err) && setLoadError(err),
    );
    api.teamBoard(c.signal).then(
      (b) => setBoard(b.enabled),
      () => undefined,
    );
    return () => c.abort();
  }, [key]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const parsed = fromDraft(draft);
    if (parsed.bad.length) {
      setBad(parsed.bad);
      return setError({ code: 'LOCAL', message: t('rules.invalid') });
    }
    setBad([]);
    setBusy(true);
    setError(null);
    try {
      const { rules } = await api.setTeamRules(parsed.rules);
      setDraft(toDraft(rules));
      toasts.show({ kind: 'success', message: t('team.rulesSaved') });
      onSaved();
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const toggleBoard = async (enabled: boolean) => {
    setBoard(enabled);
    try {
      await api.setTeamBoard(enabled);
      toasts.show({ kind: 'success', message: enabled ? t('team.boardOn') : t('team.boardOff') });
    } catch (err) {
      setBoard(!enabled);
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('team.rulesTitle')}</h2>
      <p className="muted">{t('team.rulesHint')}</p>
      {loadError && !draft ? (
        <ErrorState error={loadError} onRetry={() => setKey((k) => k + 1)} />
      ) : !draft ? (
        <Loading compact />
      ) : (
        <form onSubmit={save} noValidate>
          <RulesEditor value={draft} onChange={setDraft} bad={bad} />
          {error ? (
            <p className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} role="alert">
              {error.message}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : t('team.saveRules')}
            </button>
            {seed ? (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setDraft(toDraft(seed));
                  setBad([]);
                  setError({ code: 'LOCAL', message: t('team.seedFilled', { summary: rulesSummary(seed, t) }) });
                }}
              >
                {t('team.useSeed')}
              </button>
            ) : null}
          </div>
        </form>
      )}
      <div className="switch-row">
        <label className="check">
          <input type="checkbox" checked={board ?? false} disabled={board === null} onChange={(e) => void toggleBoard(e.target.checked)} />
          <span>{t('team.boardSwitch')}</span>
        </label>
        <span className="muted small">{t('team.boardHint')}</span>
      </div>
    </section>
  );
}
