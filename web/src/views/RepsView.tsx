import '../i18n/setup-messages.js';
import { Fragment, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import { TIERS, type Availability, type Rep, type RepPatch, type TierChange, type TierSettings, type TierThresholds } from '../api/types.js';
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

/** Monday first, as people read a week; the API numbers 0 = Sunday. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

function zones(): string[] {
  const common = ['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/London', 'UTC'];
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...common, ...all])];
}

/** Reps' routing settings: team, tier, availability, capacity, weight, hours and caps; rotations; automatic tiers. */
export function RepsView() {
  const { t } = useI18n();
  const { isManager } = useAuth();
  const id = useId();
  useTitle(t('reps.title'));
  const [items, setItems] = useState<Rep[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0);
  const [editing, setEditing] = useState<number | null>(null);
  const [tiers, setTiers] = useState<string[]>([...TIERS]);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.reps(c.signal).then(
      ({ items }) => {
        setItems([...items].sort((a, b) => (a.team ?? '~').localeCompare(b.team ?? '~') || a.name.localeCompare(b.name)));
        setError(null);
      },
      (err: unknown) => !isAbort(err) && setError(err),
    );
    return () => c.abort();
  }, [key, isManager]);

  const teams = useMemo(() => [...new Set((items ?? []).map((r) => r.team).filter((x): x is string => !!x))].sort(), [items]);

  if (!isManager) return <Forbidden title={t('reps.title')} />;

  const replace = (rep: Rep) => setItems((cur) => (cur ? cur.map((r) => (r.userId === rep.userId ? rep : r)) : cur));

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{t('reps.title')}</h1>
          <p className="muted">{t('reps.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageReps" />
      <section className="card" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>{t('reps.list')}</h2>
        {!items && error ? (
          <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
        ) : !items ? (
          <Loading compact />
        ) : items.length === 0 ? (
          <Empty title={t('reps.empty')}>
            <p className="muted">{t('reps.emptyHint')}</p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="data-table reps-table">
              <caption className="sr-only">{t('reps.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reps.rep')}</th>
                  <th scope="col">{t('reps.team')}</th>
                  <th scope="col">{t('reps.tier')}</th>
                  <th scope="col">{t('reps.availability')}</th>
                  <th scope="col" className="num">
                    {t('reps.capacity')}
                  </th>
                  <th scope="col" className="num">
                    {t('reps.weight')}
                  </th>
                  <th scope="col">{t('reps.hours')}</th>
                  <th scope="col">{t('reps.caps')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('field.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <Fragment key={r.userId}>
                    <RepRow rep={r} open={editing === r.userId} onToggle={() => setEditing((e) => (e === r.userId ? null : r.userId))} />
                    {editing === r.userId ? (
                      <tr className="edit-row">
                        <td colSpan={9}>
                          <RepForm
                            rep={r}
                            teams={teams}
                            tiers={tiers}
                            onSaved={(rep) => {
                              replace(rep);
                              setEditing(null);
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
      {items && teams.length ? <Rotations teams={teams} reps={items} /> : null}
      <AutoTiers onTiers={setTiers} onChanged={() => setKey((k) => k + 1)} reps={items ?? []} />
    </div>
  );
}

function RepRow({ rep: r, open, onToggle }: { rep: Rep; open: boolean; onToggle: () => void }) {
  const { t, tx, number } = useI18n();
  const caps = (['hourly', 'daily', 'weekly'] as const).filter((k) => r.caps[k] !== undefined).map((k) => t(`reps.cap.${k}`, { n: number(r.caps[k]!) }));
  return (
    <tr className={open ? 'is-editing' : undefined}>
      <th scope="row">
        {r.name}
        <span className="muted small cell-sub">{r.email}</span>
      </th>
      <td data-label={t('reps.team')}>{r.team ?? <span className="muted">—</span>}</td>
      <td data-label={t('reps.tier')}>
        {r.tier ? <span className={`badge badge-tier-${r.tier}`}>{tx(`tier.${r.tier}`, r.tier)}</span> : <span className="muted">—</span>}
        {r.tierAuto ? <span className="muted small cell-sub">{t('reps.auto')}</span> : null}
      </td>
      <td data-label={t('reps.availability')}>
        <span className={`avail avail-${r.availability}`}>
          <span className="avail-dot" aria-hidden="true" />
          {t(`avail.${r.availability}`)}
        </span>
        {r.paused ? <span className="badge badge-warn">{t('reps.pausedBadge')}</span> : null}
      </td>
      <td className="num" data-label={t('reps.capacity')}>
        {r.capacity === null ? '—' : number(r.capacity)}
      </td>
      <td className="num" data-label={t('reps.weight')}>
        {number(r.weight)}
      </td>
      <td data-label={t('reps.hours')}>{r.hours ? <HoursText hours={r.hours} /> : <span className="muted">{t('reps.anyTime')}</span>}</td>
      <td data-label={t('reps.caps')}>{caps.length ? caps.join(' · ') : <span className="muted">—</span>}</td>
      <td>
        <button type="button" className="btn btn-small" aria-expanded={open} aria-label={t('reps.editFor', { name: r.name })} onClick={onToggle}>
          {open ? t('common.close') : t('manage.edit')}
        </button>
      </td>
    </tr>
  );
}

function HoursText({ hours }: { hours: NonNullable<Rep['hours']> }) {
  const { locale } = useI18n();
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  // 2023-01-01 was a Sunday: day n of the API is that date plus n.
  const names = WEEK.filter((d) => hours.days.includes(d)).map((d) => day.format(Date.UTC(2023, 0, 1 + d)));
  return (
    <span>
      {names.join(', ') || '—'} {hours.start}–{hours.end}
      <span className="muted small cell-sub">{hours.timeZone}</span>
    </span>
  );
}

interface RepDraft {
  team: string;
  tier: string;
  tierAuto: boolean;
  availability: Availability;
  paused: boolean;
  capacity: string;
  weight: string;
  hoursOn: boolean;
  tz: string;
  days: number[];
  start: string;
  end: string;
  hourly: string;
  daily: string;
  weekly: string;
  reason: string;
}

const s = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

function RepForm({ rep, teams, tiers, onSaved, onCancel }: { rep: Rep; teams: string[]; tiers: string[]; onSaved: (r: Rep) => void; onCancel: () => void }) {
  const i18n = useI18n();
  const { t, tx, locale } = i18n;
  const toasts = useToasts();
  const id = useId();
  const zoneList = useMemo(zones, []);
  const [d, setD] = useState<RepDraft>(() => ({
    team: rep.team ?? '',
    tier: rep.tier ?? '',
    tierAuto: rep.tierAuto,
    availability: rep.availability,
    paused: rep.paused,
    capacity: s(rep.capacity),
    weight: String(rep.weight),
    hoursOn: rep.hours !== null,
    tz: rep.hours?.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'),
    days: rep.hours?.days ?? [1, 2, 3, 4, 5],
    start: rep.hours?.start ?? '09:00',
    end: rep.hours?.end ?? '17:00',
    hourly: s(rep.caps.hourly),
    daily: s(rep.caps.daily),
    weekly: s(rep.caps.weekly),
    reason: '',
  }));
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<ShownError | null>(null);
  const set = <K extends keyof RepDraft>(k: K, v: RepDraft[K]) => setD((x) => ({ ...x, [k]: v }));
  const dayName = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const n = (v: string) => Number(v.trim());
    const patch: RepPatch = {};
    const team = d.team.trim() || null;
    if (team !== rep.team) patch.team = team;
    const tier = d.tier || null;
    if (tier !== rep.tier) patch.tier = tier;
    if (d.tierAuto !== rep.tierAuto) patch.tierAuto = d.tierAuto;
    if (d.availability !== rep.availability) patch.availability = d.availability;
    if (d.paused !== rep.paused) patch.paused = d.paused;
    const capacity = d.capacity.trim() === '' ? null : n(d.capacity);
    if (capacity !== rep.capacity) patch.capacity = capacity;
    if (n(d.weight) !== rep.weight) patch.weight = n(d.weight);
    const hours = d.hoursOn ? { timeZone: d.tz.trim(), days: WEEK.filter((x) => d.days.includes(x)).sort(), start: d.start, end: d.end } : null;
    if (JSON.stringify(hours) !== JSON.stringify(rep.hours)) patch.hours = hours;
    const caps: Rep['caps'] = {};
    for (const k of ['hourly', 'daily', 'weekly'] as const) if (d[k].trim() !== '') caps[k] = n(d[k]);
    if (JSON.stringify(caps) !== JSON.stringify(rep.caps)) patch.caps = caps;
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    if (d.reason.trim()) patch.reason = d.reason.trim();
    setBusy(true);
    setError(null);
    setProblems({});
    try {
      const saved = await api.updateRep(rep.userId, patch);
      toasts.show({ kind: 'success', message: t('reps.saved', { name: rep.name }) });
      onSaved(saved);
    } catch (err) {
      setProblems(fieldProblems(err));
      setError(err instanceof ApiError && err.fields.length ? { code: err.code, message: t('reps.invalid') } : describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const numField = (k: 'capacity' | 'weight' | 'hourly' | 'daily' | 'weekly', label: string, path: string, placeholder: string, step = '1') => {
    const problem = problemAt(problems, path);
    return (
      <div className="field field-num">
        <label htmlFor={`${id}-${k}`}>{label}</label>
        <input
          id={`${id}-${k}`}
          type="number"
          inputMode="decimal"
          min={0}
          step={step}
          value={d[k]}
          placeholder={placeholder}
          onChange={(e) => set(k, e.target.value)}
          {...invalidProps(`${id}-${k}-err`, problem)}
        />
        <FieldError id={`${id}-${k}-err`} problem={problem} />
      </div>
    );
  };
  const pTeam = problemAt(problems, 'team');
  const pTier = problemAt(problems, 'tier');
  const pTz = problemAt(problems, 'hours.timeZone');
  const pDays = problemAt(problems, 'hours.days');
  const pStart = problemAt(problems, 'hours.start');
  const pEnd = problemAt(problems, 'hours.end');

  return (
    <form className="rep-form" onSubmit={save} noValidate aria-label={t('reps.formFor', { name: rep.name })}>
      <div className="rule-grid">
        <div className="field">
          <label htmlFor={`${id}-team`}>{t('reps.team')}</label>
          <input id={`${id}-team`} list={`${id}-teams`} value={d.team} maxLength={100} placeholder={t('reps.noTeam')} onChange={(e) => set('team', e.target.value)} {...invalidProps(`${id}-team-err`, pTeam)} />
          <datalist id={`${id}-teams`}>
            {teams.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
          <FieldError id={`${id}-team-err`} problem={pTeam} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tier`}>{t('reps.tier')}</label>
          <select id={`${id}-tier`} value={d.tier} onChange={(e) => set('tier', e.target.value)} {...invalidProps(`${id}-tier-err`, pTier)}>
            <option value="">{t('reps.noTier')}</option>
            {tiers.map((x) => (
              <option key={x} value={x}>
                {tx(`tier.${x}`, x)}
              </option>
            ))}
          </select>
          <label className="check">
            <input type="checkbox" checked={d.tierAuto} onChange={(e) => set('tierAuto', e.target.checked)} />
            <span>{t('reps.tierAuto')}</span>
          </label>
          <FieldError id={`${id}-tier-err`} problem={pTier} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-avail`}>{t('reps.availability')}</label>
          <select id={`${id}-avail`} value={d.availability} onChange={(e) => set('availability', e.target.value as Availability)}>
            <option value="available">{t('avail.available')}</option>
            <option value="away">{t('avail.away')}</option>
          </select>
          <label className="check">
            <input type="checkbox" checked={d.paused} onChange={(e) => set('paused', e.target.checked)} />
            <span>{t('reps.paused')}</span>
          </label>
        </div>
        {numField('capacity', t('reps.capacity'), 'capacity', t('reps.unlimited'))}
        {numField('weight', t('reps.weight'), 'weight', '1', '0.1')}
      </div>
      <fieldset className="field-set">
        <legend>{t('reps.hours')}</legend>
        <label className="check">
          <input type="checkbox" checked={d.hoursOn} onChange={(e) => set('hoursOn', e.target.checked)} />
          <span>{t('reps.hoursOn')}</span>
        </label>
        {d.hoursOn ? (
          <>
            <div className="rule-grid">
              <div className="field">
                <label htmlFor={`${id}-tz`}>{t('prefs.timeZone')}</label>
                <input id={`${id}-tz`} list={`${id}-zones`} value={d.tz} onChange={(e) => set('tz', e.target.value)} {...invalidProps(`${id}-tz-err`, pTz)} />
                <datalist id={`${id}-zones`}>
                  {zoneList.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
                <FieldError id={`${id}-tz-err`} problem={pTz} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-start`}>{t('reps.start')}</label>
                <input id={`${id}-start`} type="time" value={d.start} onChange={(e) => set('start', e.target.value)} {...invalidProps(`${id}-start-err`, pStart)} />
                <FieldError id={`${id}-start-err`} problem={pStart} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-end`}>{t('reps.end')}</label>
                <input id={`${id}-end`} type="time" value={d.end} onChange={(e) => set('end', e.target.value)} {...invalidProps(`${id}-end-err`, pEnd)} />
                <FieldError id={`${id}-end-err`} problem={pEnd} />
              </div>
            </div>
            <fieldset className="day-picker" {...(pDays ? { 'aria-describedby': `${id}-days-err` } : {})}>
              <legend>{t('reps.days')}</legend>
              {WEEK.map((x) => (
                <label key={x} className="check day-check">
                  <input type="checkbox" checked={d.days.includes(x)} onChange={() => set('days', d.days.includes(x) ? d.days.filter((y) => y !== x) : [...d.days, x])} />
                  <span>{dayName.format(Date.UTC(2023, 0, 1 + x))}</span>
                </label>
              ))}
              <FieldError id={`${id}-days-err`} problem={pDays} />
            </fieldset>
          </>
        ) : (
          <p className="muted small">{t('reps.anyTimeHint')}</p>
        )}
      </fieldset>
      <fieldset className="field-set">
        <legend>{t('reps.caps')}</legend>
        <div className="rule-grid">
          {numField('hourly', t('reps.hourly'), 'caps.hourly', t('reps.noCap'))}
          {numField('daily', t('reps.daily'), 'caps.daily', t('reps.noCap'))}
          {numField('weekly', t('reps.weekly'), 'caps.weekly', t('reps.noCap'))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t('reps.reason')}</label>
        <input id={`${id}-reason`} value={d.reason} maxLength={500} onChange={(e) => set('reason', e.target.value)} aria-describedby={`${id}-reason-hint`} />
        <span className="muted small" id={`${id}-reason-hint`}>
          {t('reps.reasonHint')}
        </span>
      </div>
      {error ? <ProblemBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} aria-label={t('reps.saveFor', { name: rep.name })}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Pause or resume a team's push rotation. The API does not report the state, so it shows what was last set here. */
function Rotations({ teams, reps }: { teams: string[]; reps: Rep[] }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [state, setState] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const set = async (team: string, paused: boolean) => {
    setBusy(team);
    try {
      await api.setRotation(team, paused);
      setState((s) => ({ ...s, [team]: paused }));
      toasts.show({ kind: 'success', message: paused ? t('rot.paused', { team }) : t('rot.resumed', { team }) });
    } catch (err) {
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('rot.title')}</h2>
      <p className="muted small">{t('rot.hint')}</p>
      <ul className="rotation-list">
        {teams.map((team) => {
          const members = reps.filter((r) => r.team === team);
          const ready = members.filter((r) => r.availability === 'available' && !r.paused).length;
          const paused = state[team];
          return (
            <li key={team}>
              <div>
                <strong>{team}</strong>
                <span className="muted small cell-sub">{t('rot.members', { n: number(members.length), ready: number(ready) })}</span>
              </div>
              <span className={paused === undefined ? 'muted small' : paused ? 'badge badge-warn' : 'badge badge-ok'} aria-live="polite">
                {paused === undefined ? t('rot.unknown') : paused ? t('rot.isPaused') : t('rot.isRunning')}
              </span>
              <div className="button-row">
                <button type="button" className="btn btn-small" disabled={busy === team || paused === true} onClick={() => void set(team, true)} aria-label={t('rot.pauseFor', { team })}>
                  {t('rot.pause')}
                </button>
                <button type="button" className="btn btn-small" disabled={busy === team || paused === false} onClick={() => void set(team, false)} aria-label={t('rot.resumeFor', { team })}>
                  {t('rot.resume')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

interface TierDraft {
  auto: boolean;
  windowDays: string;
  minConversionPct: string;
  maxMedianMinutes: string;
  minClaims: string;
  newMaxClaims: string;
}

function toTierDraft(s: TierSettings): TierDraft {
  const th = s.thresholds;
  return {
    auto: s.auto,
    windowDays: String(th.windowDays),
    minConversionPct: String(Math.round(th.top.minConversionRate * 1000) / 10),
    maxMedianMinutes: String(th.top.maxMedianMinutesToContact),
    minClaims: th.top.minClaims === undefined ? '' : String(th.top.minClaims),
    newMaxClaims: th.new ? String(th.new.maxClaims) : '',
  };
}

function AutoTiers({ onTiers, onChanged, reps }: { onTiers: (t: string[]) => void; onChanged: () => void; reps: Rep[] }) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [d, setD] = useState<TierDraft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [key, setKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<ShownError | null>(null);
  const [changes, setChanges] = useState<TierChange[] | null>(null);

  useEffect(() => {
    const c = new AbortController();
    api.tierSettings(c.signal).then(
      (s) => {
        setD(toTierDraft(s));
        if (s.tiers.length) onTiers(s.tiers);
        setLoadError(null);
      },
      (err: unknown) => !isAbort(err) && setLoadError(err),
    );
    return () => c.abort();
    // onTiers is a state setter: stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!d) return;
    const n = (v: string) => Number(v.trim());
    const thresholds: TierThresholds = {
      windowDays: n(d.windowDays),
      top: {
        minConversionRate: Math.round(n(d.minConversionPct) * 10) / 1000,
        maxMedianMinutesToContact: n(d.maxMedianMinutes),
        ...(d.minClaims.trim() ? { minClaims: n(d.minClaims) } : {}),
      },
      ...(d.newMaxClaims.trim() ? { new: { maxClaims: n(d.newMaxClaims) } } : {}),
    };
    setBusy(true);
    setError(null);
    setProblems({});
    try {
      const r = await api.setTierSettings({ auto: d.auto, thresholds });
      setChanges(r.changes);
      toasts.show({ kind: 'success', message: t('tiers.saved') });
      if (r.changes.length) onChanged();
    } catch (err) {
      setProblems(fieldProblems(err));
      setError(err instanceof ApiError && err.fields.length ? { code: err.code, message: t('reps.invalid') } : describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const field = (k: Exclude<keyof TierDraft, 'auto'>, label: string, path: string, hint: string, step = '1') => {
    const problem = problemAt(problems, path);
    return (
      <div className="field field-num">
        <label htmlFor={`${id}-${k}`}>{label}</label>
        <input
          id={`${id}-${k}`}
          type="number"
          inputMode="decimal"
          min={0}
          step={step}
          value={d![k]}
          onChange={(e) => setD((x) => (x ? { ...x, [k]: e.target.value } : x))}
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-${k}-hint${problem ? ` ${id}-${k}-err` : ''}`}
        />
        <span className="muted small" id={`${id}-${k}-hint`}>
          {hint}
        </span>
        <FieldError id={`${id}-${k}-err`} problem={problem} />
      </div>
    );
  };
  const nameOf = (uid: number) => reps.find((r) => r.userId === uid)?.name ?? `#${uid}`;

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('tiers.title')}</h2>
      <p className="muted small">{t('tiers.hint')}</p>
      {!d && loadError ? (
        <ErrorState error={loadError} onRetry={() => setKey((k) => k + 1)} />
      ) : !d ? (
        <Loading compact />
      ) : (
        <form onSubmit={save} noValidate>
          <label className="check switch-row">
            <input type="checkbox" checked={d.auto} onChange={(e) => setD({ ...d, auto: e.target.checked })} />
            <span>{t('tiers.auto')}</span>
          </label>
          <div className="rule-grid">
            {field('windowDays', t('tiers.window'), 'thresholds.windowDays', t('tiers.windowHint'))}
            {field('minConversionPct', t('tiers.minConversion'), 'thresholds.top.minConversionRate', t('tiers.minConversionHint'), '0.1')}
            {field('maxMedianMinutes', t('tiers.maxMedian'), 'thresholds.top.maxMedianMinutesToContact', t('tiers.maxMedianHint'))}
            {field('minClaims', t('tiers.minClaims'), 'thresholds.top.minClaims', t('tiers.minClaimsHint'))}
            {field('newMaxClaims', t('tiers.newMax'), 'thresholds.new', t('tiers.newMaxHint'))}
          </div>
          {error ? <ProblemBox error={error} /> : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : t('tiers.save')}
            </button>
          </div>
        </form>
      )}
      {changes ? (
        <div className="tier-changes" aria-live="polite">
          <h3 className="section-title">{t('tiers.changes')}</h3>
          {changes.length === 0 ? (
            <p className="muted">{d?.auto ? t('tiers.noChanges') : t('tiers.offNoChanges')}</p>
          ) : (
            <ul>
              {changes.map((c) => (
                <li key={c.userId}>
                  <strong>{nameOf(c.userId)}</strong>: {c.from ? tx(`tier.${c.from}`, c.from) : '—'} → {tx(`tier.${c.to}`, c.to)}
                  <span className="muted small cell-sub">{c.reason}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}
