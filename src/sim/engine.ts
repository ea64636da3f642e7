import { DAY, HOUR, MINUTE, TestClock } from '../core/clock.js';
import { Random } from '../core/random.js';
import { checkClaimRules, type PoolRules, type RepClaimState, type RuleRefusal } from '../core/fair-play.js';
import { decideClaimById, lockExpiry } from '../core/claims.js';
import { checkWorkTransition, statusAfterActivity } from '../core/lifecycle.js';
import {
  AccountIndex,
  EMPTY_ROTATION,
  escalationDueAt,
  leadVisibility,
  nextEscalation,
  pickRep,
  poolAccessFor,
  routeLead,
  withinHours,
  type DecisionTrace,
  type NamedAccount,
  type PoolAccess,
  type RepProfile,
  type RotationState,
  type WorkingHours,
} from '../core/routing/index.js';
import { cherryPickIndex, durationStats, gini } from '../core/metrics.js';
import { bandOf, BANDS, emptyMix, scorePercentile, type PoolMix } from '../core/pool-mix.js';
import type { LeadInput } from '../core/lead-input.js';
import type { ClaimSource, LeadStatus } from '../core/types.js';
import { startOfUtcDay, startOfUtcWeek, withoutDiversity } from '../store/store-common.js';
import { EventQueue, type PoppedEvent } from './event-queue.js';
import type { ModelDef, SimPoolDef } from './models.js';
import type { LeadStream } from './stream.js';
import { teamAvailability, type RepSpec, type Team } from './team.js';

/**
 * The discrete-event simulator. One run plays one lead stream through one model on virtual
 * time (a TestClock that only this loop moves), calling the same core functions the server
 * calls: routeLead/pickRep/eligibility for pushes, decideClaimById and checkClaimRules for
 * claims, lockExpiry for lock timers, nextEscalation/escalationDueAt for escalation,
 * leadVisibility/poolAccessFor for tier access, statusAfterActivity/checkWorkTransition for
 * the lifecycle, scorePercentile/cherryPickIndex/gini/durationStats for the measurements.
 * What is the simulator's own is only the people: when reps look, what they choose, how fast
 * they call and how often a call works out. All of it draws from one seeded Random.
 */

export interface SimOptions {
  seed: number;
  /** A lead waiting this long since arrival is no longer worth working and leaves the pool. Default 72. */
  ageOutHours?: number;
  /** After the last arrival window the run goes on this long, so late leads get their chance. Default 24. */
  drainHours?: number;
  /** Median days from first contact to the outcome (converted or not). Default 1. */
  followUpDays?: number;
  /** Pushed leads are noticed this much faster than a pool is looked at (a notification). Default 0.5. */
  pushNoticeFactor?: number;
  /** The manager works the review list hourly inside these hours. Default Mon–Fri 09:00–17:00 in the first rep's zone. */
  managerHours?: WorkingHours;
  /** Minutes of a manager's time per reviewed lead. Default 3. */
  reviewMinutesPerLead?: number;
  /** Called with the share of virtual time done and the leads arrived so far, at most every 2%. */
  onProgress?: (fraction: number, leads: number) => void;
  /** Keep a log of every take, expiry, contact and close (tests). */
  trace?: boolean;
}

export type FinalState = 'converted' | 'disqualified' | 'contacted_open' | 'claimed_open' | 'waiting' | 'aged_out' | 'review';
export const FINAL_STATES: readonly FinalState[] = ['converted', 'disqualified', 'contacted_open', 'claimed_open', 'waiting', 'aged_out', 'review'];

export interface TraceEntry {
  t: number;
  lead: number;
  what: 'arrive' | 'take' | 'expire' | 'contact' | 'close' | 'review' | 'age_out' | 'refuse';
  rep: number | null;
  source?: ClaimSource;
  detail?: string;
}

export interface RepResult {
  name: string;
  tier: string;
  received: number;
  hotReceived: number;
  meanScore: number | null;
  contacted: number;
  converted: number;
  expectedConversions: number;
  lockExpiries: number;
  refusals: number;
  cherryPickIndex: number | null;
}

export interface ModelResult {
  model: { id: string; label: string; kind: string; rules: 'on' | 'off'; summary: string };
  leads: number;
  speedToContactMin: { median: number | null; p90: number | null; mean: number | null; contacted: number };
  contactedWithin5m: number;
  contactedWithin1h: number;
  coverage: number;
  leftToAgeOut: number;
  waitingAtEnd: number;
  ageInQueueMin: { median: number | null; p90: number | null; taken: number };
  fairness: { giniLeads: number; giniHotLeads: number; giniQuality: number };
  cherryPickIndex: { team: number | null; highestRep: number | null };
  lockExpiries: number;
  refusals: Record<string, number>;
  managerReview: { sentToReview: number; reviewed: number; managerHours: number };
  conversions: { expected: number; realized: number };
  takesBySource: Record<string, number>;
  finalStates: Record<FinalState, number>;
  perRep: RepResult[];
  series: { startAt: string; everyMinutes: number; waiting: number[]; meanAgeMin: number[]; oldestAgeMin: number[] };
  events: number;
}

// ---------------------------------------------------------------------------------------

type SimStatus = LeadStatus | 'aged_out';
type View = 'none' | 'queue' | 'preview' | 'full';

interface SimLead {
  id: number;
  arrivedAt: number;
  score: number;
  industry: string;
  reach: number;
  /** Kept while the lead may be routed again; dropped once it is worked. */
  input: LeadInput | null;
  status: SimStatus;
  poolIdx: number;
  priority: number;
  ownerIdx: number;
  claimSeq: number;
  firstTakenAt: number;
  claimedAt: number | null;
  lockExpiresAt: number | null;
  contactedAt: number | null;
  closedAt: number | null;
  source: ClaimSource | null;
  escalationStep: number;
  expiredBy: number[] | null;
  /** Bit per tier: the lead matches that tier's access filter in its pool. */
  visMask: number;
  inPool: boolean;
  converts: boolean;
}

interface SimPool {
  idx: number;
  def: SimPoolDef;
  rules: PoolRules;
  queueRules: PoolRules;
  /** Waiting leads by priority (high first), then arrival, then id: the queue's order. */
  list: SimLead[];
  mix: PoolMix;
  /** Tier index → the tier's access is a filter (visibility per lead in visMask). */
  filters: (PoolAccess | null)[];
}

interface SimRep {
  idx: number;
  userId: number;
  spec: RepSpec;
  tierIdx: number;
  profile: RepProfile;
  skills: Map<string, number>;
  iv: Float64Array;
  cur: number;
  views: View[];
  pulls: boolean;
  browses: boolean;
  held: SimLead[];
  open: number;
  busy: boolean;
  waiting: boolean;
  wakeAt: number;
  workLead: SimLead | null;
  workSeq: number;
  recent: number[][];
  pushTimes: number[];
  pushFrom: number;
  pushDay: number;
  pushWeek: number;
  credits: number[];
  claimDay: number[];
  claimsToday: number[];
  received: number;
  hot: number;
  scoreSum: number;
  pctSum: number;
  measured: number;
  contacted: number;
  converted: number;
  expected: number;
  expiries: number;
  refusals: number;
}

const EV_WAKE = 1;
const EV_CONTACT = 2;
const EV_LOCK = 3;
const EV_ESCALATE = 4;
const EV_CLOSE = 5;
const EV_SAMPLE = 6;
const EV_REVIEW = 7;

const TIER_INDEX: Record<string, number> = { top: 0, standard: 1, new: 2 };
const TIER_NAMES = ['top', 'standard', 'new'] as const;
const HOT = 80;

/** Runs one model over the stream with the team. Pure apart from `onProgress`: same inputs, same result. */
export function runModel(model: ModelDef, team: Team, stream: LeadStream, opts: SimOptions): ModelResult & { trace?: TraceEntry[] } {
  return new Simulation(model, team, stream, opts).run();
}

class Simulation {
  readonly clock: TestClock;
  readonly q = new EventQueue();
  readonly rng: Random;
  readonly pools: SimPool[];
  readonly poolById = new Map<number, SimPool>();
  readonly reps: SimRep[];
  readonly profiles: RepProfile[];
  readonly rotations = new Map<string, RotationState>();
  readonly accounts: AccountIndex;
  readonly leads: SimLead[] = [];
  readonly reviewQueue: SimLead[] = [];
  readonly runEnd: number;
  readonly ageOutMs: number;
  readonly followUpMs: number;
  readonly pushNotice: number;
  readonly managerHours: WorkingHours;
  readonly reviewMinutes: number;
  readonly trace: TraceEntry[] | null;
  readonly hasHolding: boolean;
  readonly fallbackPool = new Map<string, number>();
  /** One closure for every routing decision, not one per call. */
  readonly rotationOf = (team: string): RotationState => this.rotations.get(team) ?? EMPTY_ROTATION;
  profilesAt = -1;
  retryAfter = -Infinity;
  events = 0;
  // measurements
  contactDelays: number[] = [];
  takeDelays: number[] = [];
  lockExpiries = 0;
  refusals: Record<string, number> = {};
  sentToReview = 0;
  reviewed = 0;
  expected = 0;
  realized = 0;
  takesBySource: Record<string, number> = {};
  seriesWaiting: number[] = [];
  seriesMeanAge: number[] = [];
  seriesOldest: number[] = [];

  constructor(
    readonly model: ModelDef,
    readonly team: Team,
    readonly stream: LeadStream,
    readonly opts: SimOptions,
  ) {
    this.clock = new TestClock(stream.start);
    this.rng = new Random(opts.seed * 31 + 7);
    this.runEnd = stream.end + (opts.drainHours ?? 24) * HOUR;
    this.ageOutMs = (opts.ageOutHours ?? 72) * HOUR;
    this.followUpMs = (opts.followUpDays ?? 1) * DAY;
    this.pushNotice = opts.pushNoticeFactor ?? 0.5;
    this.reviewMinutes = opts.reviewMinutesPerLead ?? 3;
    this.trace = opts.trace ? [] : null;
    const firstZone = team.reps[0]?.hours.timeZone ?? 'Europe/Berlin';
    this.managerHours = opts.managerHours ?? { timeZone: firstZone, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

    this.pools = model.pools.map((def, idx) => {
      const rules = def.rules ?? model.teamRules;
      const filters = TIER_NAMES.map((t) => {
        const a = def.access ? poolAccessFor({ byTier: def.access }, t) : null;
        return a !== null && typeof a === 'object' ? a : null;
      });
      const p: SimPool = { idx, def, rules, queueRules: withoutDiversity(rules), list: [], mix: emptyMix(), filters };
      this.poolById.set(def.id, p);
      return p;
    });
    this.hasHolding = this.pools.some((p) => p.def.holding === true);
    for (const r of model.ruleSet.rules) {
      if (r.then.type === 'push_owner' || r.then.type === 'push_team') this.fallbackPool.set(r.id, r.then.fallbackPoolId);
    }

    const availability = teamAvailabilityCached(team, stream.start, this.runEnd, opts.seed);
    this.reps = team.reps.map((spec, idx) => {
      const tierIdx = TIER_INDEX[spec.tier] ?? 1;
      const profile: RepProfile = {
        userId: idx + 1,
        name: spec.name,
        team: model.teamBy === 'all' ? 'all' : model.teamBy === 'tier' ? spec.tier : spec.team,
        tier: spec.tier,
        availability: 'away',
        paused: false,
        capacity: spec.capacity,
        openLeads: 0,
        weight: spec.weight,
        // The working blocks were cut with the core's withinHours (team.ts); outside them the
        // profile says 'away'. Passing the hours too would have eligibility parse and look up
        // the same hours again for every rep at every push: 40 s instead of 17 for a year of
        // weighted push with 50 reps. Traces then say "away" where the server says "outside hours".
        hours: null,
        caps: { ...spec.pushCaps },
        pushed: { lastHour: 0, today: 0, thisWeek: 0 },
      };
      const iv = availability[idx]!;
      const views = this.pools.map((p) => viewOf(p.def, spec.tier));
      const n = this.pools.length;
      return {
        idx,
        userId: idx + 1,
        spec,
        tierIdx,
        profile,
        skills: new Map(Object.entries(spec.skills)),
        iv,
        cur: 0,
        views,
        pulls: views.some((v, i) => v !== 'none' && !this.pools[i]!.def.holding),
        browses: views.some((v) => v === 'preview' || v === 'full'),
        held: [],
        open: 0,
        busy: false,
        waiting: false,
        wakeAt: -1,
        workLead: null,
        workSeq: -1,
        recent: Array.from({ length: n }, () => []),
        pushTimes: [],
        pushFrom: 0,
        pushDay: -1,
        pushWeek: -1,
        credits: Array<number>(n).fill(0),
        claimDay: Array<number>(n).fill(-1),
        claimsToday: Array<number>(n).fill(0),
        received: 0,
        hot: 0,
        scoreSum: 0,
        pctSum: 0,
        measured: 0,
        contacted: 0,
        converted: 0,
        expected: 0,
        expiries: 0,
        refusals: 0,
      };
    });
    this.profiles = this.reps.map((r) => r.profile);

    const named: NamedAccount[] = [];
    if (model.useAccounts) {
      // Accounts belong to the reps who may own them: everyone but new reps (everyone, if all are new).
      const owners = this.reps.filter((r) => r.spec.tier !== 'new');
      const pool = owners.length ? owners : this.reps;
      for (const a of stream.accounts) {
        if (pool.length === 0) break;
        named.push({ id: a.id, name: a.name, domains: a.domains, customer: a.customer, ownerId: pool[a.ownerSlot % pool.length]!.userId });
      }
    }
    this.accounts = new AccountIndex(named);
  }

  get now(): number {
    return this.clock.now();
  }

  run(): ModelResult & { trace?: TraceEntry[] } {
    const start = this.stream.start;
    for (const rep of this.reps) {
      const first = rep.iv.length ? rep.iv[0]! : Infinity;
      if (first < this.runEnd) this.scheduleWake(rep, first);
    }
    this.q.push(start + HOUR, EV_SAMPLE);
    if (this.usesReview()) this.q.push(start + HOUR, EV_REVIEW);

    const it = this.stream.leads()[Symbol.iterator]();
    let next = it.next();
    const ev: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 };
    const span = this.runEnd - start;
    let nextReport = 0.02;
    let loops = 0;
    for (;;) {
      const ta = next.done ? Infinity : next.value.arrivedAt;
      const te = this.q.peekTime();
      const t = ta <= te ? ta : te;
      if (t === Infinity || t > this.runEnd) break;
      if (t > this.clock.now()) this.clock.set(t);
      if (ta <= te) {
        this.arrive(next.value.input, next.value.arrivedAt, next.value.reach);
        next = it.next();
      } else {
        this.q.pop(ev);
        this.dispatch(ev);
      }
      this.events++;
      if (this.opts.onProgress && (++loops & 4095) === 0) {
        const f = (this.clock.now() - start) / span;
        if (f >= nextReport) {
          this.opts.onProgress(Math.min(1, f), this.leads.length);
          nextReport = f + 0.02;
        }
      }
    }
    if (this.clock.now() < this.runEnd) this.clock.set(this.runEnd);
    this.opts.onProgress?.(1, this.leads.length);
    return this.result();
  }

  dispatch(ev: PoppedEvent): void {
    switch (ev.kind) {
      case EV_WAKE: {
        const rep = this.reps[ev.a]!;
        if (rep.wakeAt !== ev.time) return; // superseded by an earlier wake
        rep.wakeAt = -1;
        this.wake(rep);
        return;
      }
      case EV_CONTACT:
        return this.contactDone(this.reps[ev.a]!);
      case EV_LOCK:
        return this.lockDue(this.leads[ev.a - 1]!, ev.b);
      case EV_ESCALATE:
        return this.escalate(this.leads[ev.a - 1]!);
      case EV_CLOSE:
        return this.close(this.leads[ev.a - 1]!);
      case EV_SAMPLE:
        this.sample();
        if (this.now + HOUR <= this.runEnd) this.q.push(this.now + HOUR, EV_SAMPLE);
        return;
      case EV_REVIEW:
        this.reviewSession();
        if (this.now + HOUR <= this.runEnd) this.q.push(this.now + HOUR, EV_REVIEW);
        return;
    }
  }

  // ------------------------------------------------------------------ arrival and routing

  arrive(input: LeadInput, arrivedAt: number, reach: number): void {
    const lead: SimLead = {
      id: this.leads.length + 1,
      arrivedAt,
      score: input.score,
      industry: input.industry,
      reach,
      input,
      status: 'available',
      poolIdx: -1,
      priority: 0,
      ownerIdx: -1,
      claimSeq: 0,
      firstTakenAt: NaN,
      claimedAt: null,
      lockExpiresAt: null,
      contactedAt: null,
      closedAt: null,
      source: null,
      escalationStep: 0,
      expiredBy: null,
      visMask: 0,
      inPool: false,
      converts: false,
    };
    this.leads.push(lead);
    this.log(lead, 'arrive', null);
    const { trace } = this.route(lead);
    const out = trace.outcome;
    if (out.kind === 'pushed') {
      const poolId = (trace.matchedRuleId !== null ? this.fallbackPool.get(trace.matchedRuleId) : undefined) ?? this.model.ruleSet.defaultPoolId;
      lead.poolIdx = this.poolOf(poolId).idx;
      this.push(lead, this.reps[out.userId - 1]!);
    } else if (out.kind === 'pool') {
      this.addToPool(lead, this.poolOf(out.poolId), out.priority, true);
    } else {
      lead.poolIdx = this.poolOf(out.poolId).idx;
      this.toReview(lead);
    }
  }

  poolOf(id: number): SimPool {
    return this.poolById.get(id) ?? this.poolById.get(this.model.ruleSet.defaultPoolId) ?? this.pools[0]!;
  }

  /** routeLead with the reps as they are now; reps who let this lead expire are handed-back. */
  route(lead: SimLead): { trace: DecisionTrace } {
    this.refreshProfiles();
    this.exclude(lead, true);
    const r = routeLead(lead.input!, {
      ruleSet: this.model.ruleSet,
      accounts: this.accounts,
      reps: this.profiles,
      rotation: this.rotationOf,
      now: this.now,
    });
    this.exclude(lead, false);
    for (const [team, state] of Object.entries(r.rotationUpdates)) this.rotations.set(team, state);
    return r;
  }

  exclude(lead: SimLead, on: boolean): void {
    if (lead.expiredBy) for (const i of lead.expiredBy) this.profiles[i]!.excluded = on;
  }

  refreshProfiles(): void {
    const now = this.now;
    if (this.profilesAt === now) return;
    this.profilesAt = now;
    const day = startOfUtcDay(now);
    const week = startOfUtcWeek(now);
    for (const rep of this.reps) {
      rep.profile.availability = this.available(rep, now) ? 'available' : 'away';
      // Pushes counted as the stores count them: the rolling hour, the UTC day and ISO week.
      const times = rep.pushTimes;
      while (rep.pushFrom < times.length && times[rep.pushFrom]! <= now - HOUR) rep.pushFrom++;
      if (rep.pushFrom > 1024) {
        times.splice(0, rep.pushFrom);
        rep.pushFrom = 0;
      }
      const pushed = rep.profile.pushed;
      pushed.lastHour = times.length - rep.pushFrom;
      if (rep.pushDay !== day) {
        rep.pushDay = day;
        pushed.today = 0;
      }
      if (rep.pushWeek !== week) {
        rep.pushWeek = week;
        pushed.thisWeek = 0;
      }
    }
  }

  /** A pushed lead: the rep holds it at once (status assigned, lock timer running) and is told. */
  push(lead: SimLead, rep: SimRep, source: ClaimSource = 'pushed'): void {
    this.refreshProfiles();
    rep.pushTimes.push(this.now);
    const pushed = rep.profile.pushed;
    pushed.lastHour++;
    pushed.today++;
    pushed.thisWeek++;
    this.take(lead, rep, source, lockExpiry(this.pools[lead.poolIdx]!.def, this.now), false);
    if (!rep.busy) this.scheduleWake(rep, this.now + this.noticeDelay(rep) * this.pushNotice);
  }

  /**
   * Leads waiting in holding pools are routed again now that a rep may be free. After a round
   * where nobody could take one, nothing is tried again until a rep's next working block or
   * hourly cap release (`force`: a lead came back with a new hand-back, so other reps may do).
   * Without that, a year of push spent most of its time building traces of 50 skipped reps.
   */
  retryPushes(force = false): void {
    if (!this.hasHolding || (!force && this.now < this.retryAfter)) return;
    let blocked = false;
    for (const p of this.pools) {
      if (!p.def.holding) continue;
      let misses = 0;
      for (let i = 0; i < p.list.length && misses < 5; ) {
        const lead = p.list[i]!;
        if (lead.expiredBy !== null && lead.expiredBy.length >= this.reps.length) {
          i++; // every rep has let it go: only age takes it now
          continue;
        }
        const out = this.route(lead).trace.outcome;
        if (out.kind === 'pushed') {
          this.removeFromPool(lead);
          this.push(lead, this.reps[out.userId - 1]!);
        } else {
          misses++;
          i++;
          blocked = true;
        }
      }
    }
    // A rep free by hours and caps who still was not pushed to had let the lead go (or hit a
    // daily cap): try again a minute later at the soonest, not at every event.
    this.retryAfter = blocked ? Math.max(this.now + MINUTE, this.nextEligibilityChange()) : -Infinity;
  }

  /** The earliest time a rep who cannot be pushed to now might be: a block starts, an hourly cap frees. */
  nextEligibilityChange(): number {
    const now = this.now;
    let next = Infinity;
    for (const rep of this.reps) {
      if (!this.available(rep, now)) {
        const i = rep.cur * 2;
        if (i < rep.iv.length && rep.iv[i]! < next) next = rep.iv[i]!;
        continue;
      }
      const cap = rep.profile.caps.hourly;
      if (cap !== undefined && rep.pushTimes.length - rep.pushFrom >= cap) {
        const freeAt = rep.pushTimes[rep.pushFrom]! + HOUR + 1;
        if (freeAt < next) next = freeAt;
      } else {
        return -Infinity; // someone is eligible by availability and cap: capacity or caps per day decide; try each time
      }
    }
    return next;
  }

  // ------------------------------------------------------------------ pools

  addToPool(lead: SimLead, p: SimPool, priority: number, fresh: boolean): void {
    lead.status = 'available';
    lead.poolIdx = p.idx;
    lead.priority = priority;
    lead.ownerIdx = -1;
    lead.visMask = 0;
    for (let t = 0; t < p.filters.length; t++) {
      const f = p.filters[t];
      if (f && leadVisibility(f, lead.input!, this.accounts.match(lead.input!)) !== null) lead.visMask |= 1 << t;
    }
    insertSorted(p.list, lead);
    lead.inPool = true;
    const bands = (p.mix.byIndustry[lead.industry] ??= Array<number>(BANDS).fill(0));
    bands[bandOf(lead.score)]!++;
    p.mix.waiting++;
    if (p.def.escalation) {
      const due = escalationDueAt(p.def.escalation, { createdAt: lead.arrivedAt, escalationStep: lead.escalationStep });
      if (due !== null) this.q.push(Math.max(due, this.now), EV_ESCALATE, lead.id);
    }
    if (p.def.holding) {
      if (!fresh) this.retryPushes(true);
    } else this.notify(p, lead);
  }

  removeFromPool(lead: SimLead): void {
    const p = this.pools[lead.poolIdx]!;
    const i = indexSorted(p.list, lead);
    if (i < 0) throw new Error(`sim: lead ${lead.id} is not in pool ${p.def.id}`);
    p.list.splice(i, 1);
    lead.inPool = false;
    p.mix.byIndustry[lead.industry]![bandOf(lead.score)]!--;
    p.mix.waiting--;
  }

  /** New work in a pool: up to three free reps who can see it notice it, the quickest first. */
  notify(p: SimPool, lead: SimLead): void {
    const now = this.now;
    const picked: SimRep[] = [];
    const delays: number[] = [];
    for (const rep of this.reps) {
      if (!rep.waiting || rep.busy || rep.views[p.idx] === 'none' || !this.visible(rep, p, lead) || !this.available(rep, now)) continue;
      const d = this.noticeDelay(rep);
      let at = picked.length;
      while (at > 0 && delays[at - 1]! > d) at--;
      if (at >= 3) continue;
      picked.splice(at, 0, rep);
      delays.splice(at, 0, d);
      if (picked.length > 3) {
        picked.pop();
        delays.pop();
      }
    }
    picked.forEach((rep, i) => {
      rep.waiting = false;
      this.scheduleWake(rep, now + delays[i]!);
    });
  }

  visible(rep: SimRep, p: SimPool, lead: SimLead): boolean {
    return p.filters[rep.tierIdx] === null || p.filters[rep.tierIdx] === undefined || (lead.visMask & (1 << rep.tierIdx)) !== 0;
  }

  // ------------------------------------------------------------------ reps

  available(rep: SimRep, t: number): boolean {
    const iv = rep.iv;
    while (rep.cur * 2 < iv.length && iv[rep.cur * 2 + 1]! <= t) rep.cur++;
    return rep.cur * 2 < iv.length && iv[rep.cur * 2]! <= t;
  }

  /** Start of the next working block after the one `t` is in (or the next one, when off). */
  nextBlock(rep: SimRep, t: number): number {
    const on = this.available(rep, t);
    const i = (rep.cur + (on ? 1 : 0)) * 2;
    return i < rep.iv.length ? rep.iv[i]! : Infinity;
  }

  /** When work of `ms` started at `t` is done, counting only the rep's working time. */
  finishTime(rep: SimRep, t: number, ms: number): number {
    const iv = rep.iv;
    for (let i = rep.cur * 2; i < iv.length; i += 2) {
      const s = iv[i]!;
      const e = iv[i + 1]!;
      if (e <= t) continue;
      const from = t > s ? t : s;
      if (from + ms <= e) return from + ms;
      ms -= e - from;
      t = e;
    }
    return Infinity;
  }

  scheduleWake(rep: SimRep, t: number): void {
    if (t > this.runEnd || !Number.isFinite(t)) return;
    if (rep.wakeAt >= 0 && rep.wakeAt <= t) return;
    rep.wakeAt = t;
    this.q.push(t, EV_WAKE, rep.idx);
  }

  noticeDelay(rep: SimRep): number {
    const n = rep.spec.noticeMinutes;
    return n.median * Math.exp(n.sigma * this.rng.normal(0, 1)) * MINUTE;
  }

  wake(rep: SimRep): void {
    if (rep.busy) return;
    const now = this.now;
    if (!this.available(rep, now)) {
      rep.waiting = false;
      this.scheduleWake(rep, this.nextBlock(rep, now));
      return;
    }
    if (this.hasHolding) this.retryPushes();
    if (rep.held.length === 0 && rep.pulls) this.pull(rep);
    if (rep.held.length > 0) {
      this.startWork(rep);
      return;
    }
    rep.waiting = true;
    this.scheduleWake(rep, this.nextBlock(rep, now));
  }

  startWork(rep: SimRep): void {
    const lead = rep.held[0]!;
    const c = rep.spec.contactMinutes;
    const ms = c.median * Math.exp(c.sigma * this.rng.normal(0, 1)) * MINUTE;
    const done = this.finishTime(rep, this.now, ms);
    if (done > this.runEnd) return;
    rep.busy = true;
    rep.waiting = false;
    rep.workLead = lead;
    rep.workSeq = lead.claimSeq;
    this.q.push(done, EV_CONTACT, rep.idx);
  }

  contactDone(rep: SimRep): void {
    rep.busy = false;
    const lead = rep.workLead;
    rep.workLead = null;
    if (lead && lead.claimSeq === rep.workSeq && lead.ownerIdx === rep.idx && (lead.status === 'claimed' || lead.status === 'assigned')) {
      this.firstContact(lead, rep);
    }
    const now = this.now;
    if (rep.held.length > 0) {
      if (this.available(rep, now)) this.startWork(rep);
      else this.scheduleWake(rep, this.nextBlock(rep, now));
    } else {
      // Done with a call and in the tool anyway: the rep looks again at once.
      this.scheduleWake(rep, now);
    }
  }

  /**
   * The first logged contact. Whether it reaches the person falls with the wait (a lead
   * called within minutes answers far more often than one called tomorrow) and rises with the
   * contact's reach; whether it converts rises with score and the rep's skill in the industry.
   */
  firstContact(lead: SimLead, rep: SimRep): void {
    const now = this.now;
    lead.status = statusAfterActivity(lead.status as LeadStatus);
    lead.contactedAt = now;
    lead.lockExpiresAt = null;
    removeHeld(rep, lead);
    const waitedMin = (now - lead.arrivedAt) / MINUTE;
    const skill = rep.skills.get(lead.industry) ?? 1;
    const pReach = Math.min(1, rep.spec.contactChance * lead.reach * (0.35 + 0.65 * Math.exp(-waitedMin / 90)));
    const pConvert = Math.min(0.9, rep.spec.conversionChance * Math.pow(lead.score / 50, 1.5) * skill);
    const e = pReach * pConvert;
    this.expected += e;
    rep.expected += e;
    const reached = this.rng.next() < pReach;
    lead.converts = reached && this.rng.next() < pConvert;
    this.contactDelays.push(now - lead.arrivedAt);
    rep.contacted++;
    lead.input = null;
    this.log(lead, 'contact', rep.idx);
    const closeAt = now + this.followUpMs * Math.exp(0.7 * this.rng.normal(0, 1));
    if (closeAt <= this.runEnd) this.q.push(closeAt, EV_CLOSE, lead.id);
  }

  close(lead: SimLead): void {
    if (lead.status !== 'contacted') return;
    const to = lead.converts ? 'converted' : 'disqualified';
    checkWorkTransition({ id: lead.id, status: lead.status, contactedAt: lead.contactedAt }, to);
    lead.status = to;
    lead.closedAt = this.now;
    const rep = this.reps[lead.ownerIdx]!;
    rep.open--;
    rep.profile.openLeads = rep.open;
    if (lead.converts) {
      rep.converted++;
      this.realized++;
    }
    this.log(lead, 'close', rep.idx, undefined, to);
    if (this.hasHolding) this.retryPushes();
  }

  // ------------------------------------------------------------------ claims

  /**
   * A free rep looks at the pools open to them. A selective look (chance = selectiveness)
   * hunts the best fit it can see: score x skill, and in full details the contact's reach
   * too; it takes leads above the rep's bar, up to `claimAhead` uncontacted at once. Other
   * looks take the oldest visible lead. Every claim goes through decideClaimById and
   * checkClaimRules (a queue through the rules without diversity, as claimNext does); a
   * diversity refusal sends the rep to a lead under the threshold, any other refusal ends the look.
   */
  pull(rep: SimRep): void {
    const want = rep.spec.claimAhead - rep.held.length;
    if (want <= 0) return;
    // A queue offers no choice: only a rep who can browse somewhere looks selectively.
    const selective = rep.browses && this.rng.next() < rep.spec.selectiveness;
    const bar = 25 + 50 * rep.spec.selectiveness;
    let claimed = 0;
    let lowUnder = Infinity;
    let tried: Set<SimLead> | null = null;
    for (let attempt = 0; attempt < 12 && claimed < want; attempt++) {
      let first: SimLead | null = null;
      let firstPool: SimPool | null = null;
      let best: SimLead | null = null;
      let bestPool: SimPool | null = null;
      let bestFit = -1;
      for (const p of this.pools) {
        const view = rep.views[p.idx]!;
        if (view === 'none' || p.def.holding || p.list.length === 0) continue;
        const skillOf = rep.skills;
        for (const lead of p.list) {
          if (tried?.has(lead)) continue;
          if (view === 'queue') {
            if (lead.expiredBy?.includes(rep.idx)) continue;
          } else if (lead.score >= lowUnder || !this.visible(rep, p, lead)) continue;
          const fit = lead.score * (skillOf.get(lead.industry) ?? 1) * (view === 'full' ? lead.reach : 1);
          if (first === null || lead.arrivedAt < first.arrivedAt) {
            first = lead;
            firstPool = p;
          }
          if (fit > bestFit) {
            best = lead;
            bestPool = p;
            bestFit = fit;
          }
          if (view === 'queue') break; // a queue shows its front only
        }
      }
      let lead: SimLead | null = null;
      let p: SimPool | null = null;
      if (selective && best && (bestFit >= bar || lowUnder !== Infinity)) {
        lead = best;
        p = bestPool;
      } else if (claimed === 0 && (!selective || this.rng.next() >= rep.spec.selectiveness)) {
        lead = first;
        p = firstPool;
      }
      if (!lead || !p) break;
      if (rep.views[p.idx] === 'queue') {
        const refusal = checkClaimRules(p.queueRules, this.claimState(rep, p), 0);
        if (refusal) {
          this.refused(rep, lead, refusal);
          break;
        }
        this.measure(rep, p, lead);
        this.take(lead, rep, p.def.mode === 'queue' ? 'queue' : p.def.mode, lockExpiry(p.def, this.now), true);
        claimed++;
        continue;
      }
      const decision = decideClaimById(
        {
          lead: { id: lead.id, status: lead.status as LeadStatus, ownerId: lead.ownerIdx >= 0 ? lead.ownerIdx + 1 : null, poolId: p.def.id },
          pool: p.def,
          expiredByClaimer: lead.expiredBy?.includes(rep.idx) ?? false,
        },
        rep.userId,
        this.now,
      );
      if (!decision.ok) {
        (tried ??= new Set()).add(lead);
        continue;
      }
      const refusal = checkClaimRules(p.rules, this.claimState(rep, p), lead.score);
      if (refusal) {
        this.refused(rep, lead, refusal);
        if (refusal.rule === 'RULE_DIVERSITY' && p.rules.diversity) {
          lowUnder = p.rules.diversity.threshold;
          continue;
        }
        break;
      }
      this.measure(rep, p, lead);
      this.take(lead, rep, decision.source, decision.lockExpiresAt, true);
      claimed++;
    }
  }

  /** What the store would fetch for checkClaimRules, from the sim's own books. */
  claimState(rep: SimRep, p: SimPool): RepClaimState {
    const today = Math.floor(this.now / DAY); // UTC days, as the stores count them
    return {
      openUncontacted: rep.held.length,
      recentScores: rep.recent[p.idx]!,
      ratioCredits: rep.credits[p.idx]!,
      claimsToday: rep.claimDay[p.idx] === today ? rep.claimsToday[p.idx]! : 0,
    };
  }

  refused(rep: SimRep, lead: SimLead, r: RuleRefusal): void {
    this.refusals[r.rule] = (this.refusals[r.rule] ?? 0) + 1;
    rep.refusals++;
    this.log(lead, 'refuse', rep.idx, undefined, r.rule);
  }

  measure(rep: SimRep, p: SimPool, lead: SimLead): void {
    const pct = scorePercentile(p.mix, lead.score);
    if (pct !== null) {
      rep.pctSum += pct;
      rep.measured++;
    }
  }

  take(lead: SimLead, rep: SimRep, source: ClaimSource, lockUntil: number, byRep: boolean): void {
    const now = this.now;
    if (lead.inPool) this.removeFromPool(lead);
    if (lead.ownerIdx >= 0) throw new Error(`sim: lead ${lead.id} taken by ${rep.spec.name} while held by rep ${lead.ownerIdx}`);
    lead.status = byRep ? 'claimed' : 'assigned';
    lead.ownerIdx = rep.idx;
    lead.claimSeq++;
    lead.claimedAt = now;
    lead.source = source;
    lead.lockExpiresAt = lockUntil;
    if (Number.isNaN(lead.firstTakenAt)) {
      lead.firstTakenAt = now;
      this.takeDelays.push(now - lead.arrivedAt);
    }
    this.takesBySource[source] = (this.takesBySource[source] ?? 0) + 1;
    rep.received++;
    if (lead.score >= HOT) rep.hot++;
    rep.scoreSum += lead.score;
    rep.held.push(lead);
    rep.open++;
    rep.profile.openLeads = rep.open;
    const pi = lead.poolIdx;
    const recent = rep.recent[pi]!;
    recent.unshift(lead.score);
    const keep = Math.max(20, this.pools[pi]!.rules.diversity?.mode === 'percent' ? this.pools[pi]!.rules.diversity.window : 0);
    if (recent.length > keep) recent.length = keep;
    const d = this.pools[pi]!.rules.diversity;
    if (byRep && d?.mode === 'ratio') rep.credits[pi]! += lead.score < d.threshold ? 1 : -1;
    const today = Math.floor(now / DAY);
    if (rep.claimDay[pi] !== today) {
      rep.claimDay[pi] = today;
      rep.claimsToday[pi] = 0;
    }
    rep.claimsToday[pi]!++;
    this.q.push(lockUntil, EV_LOCK, lead.id, lead.claimSeq);
    this.log(lead, 'take', rep.idx, source);
  }

  /** The lock ran out with no contact: the lead goes back where it came from, and the rep is not offered it again. */
  lockDue(lead: SimLead, seq: number): void {
    if (lead.claimSeq !== seq || (lead.status !== 'claimed' && lead.status !== 'assigned')) return;
    const rep = this.reps[lead.ownerIdx]!;
    removeHeld(rep, lead);
    rep.open--;
    rep.profile.openLeads = rep.open;
    rep.expiries++;
    this.lockExpiries++;
    (lead.expiredBy ??= []).push(rep.idx);
    this.log(lead, 'expire', rep.idx);
    lead.ownerIdx = -1;
    lead.lockExpiresAt = null;
    this.addToPool(lead, this.pools[lead.poolIdx]!, lead.priority, false);
  }

  // ------------------------------------------------------------------ escalation and review

  escalate(lead: SimLead): void {
    const p = this.pools[lead.poolIdx]!;
    if (lead.status !== 'available' || !p.def.escalation) return;
    const policy = p.def.escalation;
    const next = nextEscalation(policy, { createdAt: lead.arrivedAt, escalationStep: lead.escalationStep }, this.now);
    if (!next) return;
    if (!next.due) {
      this.q.push(next.dueAt, EV_ESCALATE, lead.id);
      return;
    }
    const step = next.step;
    const stepNo = next.stepIndex + 1;
    if (step !== 'backstop' && step.action.type === 'review') {
      lead.escalationStep = stepNo;
      this.removeFromPool(lead);
      this.toReview(lead);
      return;
    }
    // As the stores do: the backstop hands the lead to whoever of the team carries least.
    const assign = step === 'backstop' ? { team: null, strategy: 'least_loaded' as const } : step.action.type === 'assign' ? step.action : null;
    if (!assign) return;
    lead.escalationStep = stepNo;
    this.refreshProfiles();
    const team = assign.team === null ? this.profiles : this.profiles.filter((r) => r.team === assign.team);
    const key = assign.team ?? '*';
    this.exclude(lead, true);
    const pick = pickRep(assign.strategy, team, this.rotations.get(key) ?? EMPTY_ROTATION, this.now);
    this.exclude(lead, false);
    this.rotations.set(key, pick.next);
    if (pick.chosen) {
      this.push(lead, this.reps[pick.chosen.userId - 1]!, step === 'backstop' ? 'backstop' : 'escalated');
      return;
    }
    const later = escalationDueAt(policy, { createdAt: lead.arrivedAt, escalationStep: stepNo });
    if (later !== null) this.q.push(Math.max(later, this.now), EV_ESCALATE, lead.id);
  }

  toReview(lead: SimLead): void {
    lead.status = 'review';
    lead.ownerIdx = -1;
    this.reviewQueue.push(lead);
    this.sentToReview++;
    this.log(lead, 'review', null);
  }

  usesReview(): boolean {
    return (
      this.model.ruleSet.rules.some((r) => r.then.type === 'review') ||
      this.model.pools.some((p) => p.escalation?.steps.some((s) => s.action.type === 'review') ?? false)
    );
  }

  /** Hourly in the manager's hours: each lead waiting for review is assigned round robin to a rep who can take it. */
  reviewSession(): void {
    if (this.reviewQueue.length === 0 || !withinHours(this.managerHours, this.now)) return;
    this.refreshProfiles();
    const left: SimLead[] = [];
    for (const lead of this.reviewQueue) {
      this.exclude(lead, true);
      const pick = pickRep('round_robin', this.profiles, this.rotations.get('manager') ?? EMPTY_ROTATION, this.now);
      this.exclude(lead, false);
      this.rotations.set('manager', pick.next);
      if (!pick.chosen) {
        left.push(lead);
        continue;
      }
      this.reviewed++;
      this.push(lead, this.reps[pick.chosen.userId - 1]!, 'manager');
    }
    this.reviewQueue.length = 0;
    this.reviewQueue.push(...left);
  }

  // ------------------------------------------------------------------ sampling

  sample(): void {
    const now = this.now;
    let waiting = 0;
    let ageSum = 0;
    let oldest = 0;
    for (const p of this.pools) {
      let w = 0;
      for (let i = 0; i < p.list.length; i++) {
        const lead = p.list[i]!;
        const age = now - lead.arrivedAt;
        if (age >= this.ageOutMs) {
          lead.status = 'aged_out';
          lead.inPool = false;
          p.mix.byIndustry[lead.industry]![bandOf(lead.score)]!--;
          p.mix.waiting--;
          lead.input = null;
          this.log(lead, 'age_out', null);
          continue;
        }
        p.list[w++] = lead;
        waiting++;
        ageSum += age;
        if (age > oldest) oldest = age;
      }
      p.list.length = w;
    }
    this.seriesWaiting.push(waiting);
    this.seriesMeanAge.push(waiting ? ageSum / waiting / MINUTE : 0);
    this.seriesOldest.push(oldest / MINUTE);
  }

  log(lead: SimLead, what: TraceEntry['what'], rep: number | null, source?: ClaimSource, detail?: string): void {
    if (!this.trace) return;
    const e: TraceEntry = { t: this.now, lead: lead.id, what, rep };
    if (source) e.source = source;
    if (detail) e.detail = detail;
    this.trace.push(e);
  }

  // ------------------------------------------------------------------ result

  result(): ModelResult & { trace?: TraceEntry[] } {
    const n = this.leads.length;
    const states = Object.fromEntries(FINAL_STATES.map((s) => [s, 0])) as Record<FinalState, number>;
    let within5 = 0;
    let within60 = 0;
    for (const lead of this.leads) {
      states[finalState(lead.status)]++;
      if (lead.contactedAt !== null) {
        const d = lead.contactedAt - lead.arrivedAt;
        if (d <= 5 * MINUTE) within5++;
        if (d <= HOUR) within60++;
      }
    }
    const contact = durationStats(sortAsc(this.contactDelays));
    const taken = durationStats(sortAsc(this.takeDelays));
    const min = (ms: number | null) => (ms === null ? null : round(ms / MINUTE, 2));
    let pctSum = 0;
    let measured = 0;
    let highest: number | null = null;
    const perRep: RepResult[] = this.reps.map((r) => {
      pctSum += r.pctSum;
      measured += r.measured;
      const cpi = cherryPickIndex(r.measured ? r.pctSum / r.measured : null, r.measured);
      if (cpi !== null && (highest === null || cpi > highest)) highest = cpi;
      return {
        name: r.spec.name,
        tier: r.spec.tier,
        received: r.received,
        hotReceived: r.hot,
        meanScore: r.received ? round(r.scoreSum / r.received, 1) : null,
        contacted: r.contacted,
        converted: r.converted,
        expectedConversions: round(r.expected, 2),
        lockExpiries: r.expiries,
        refusals: r.refusals,
        cherryPickIndex: cpi,
      };
    });
    const series = downsample(this.seriesWaiting, this.seriesMeanAge, this.seriesOldest);
    const out: ModelResult & { trace?: TraceEntry[] } = {
      model: { id: this.model.id, label: this.model.label, kind: this.model.kind, rules: this.model.rules, summary: this.model.summary },
      leads: n,
      speedToContactMin: { median: min(contact.p50Ms), p90: min(contact.p90Ms), mean: min(contact.meanMs), contacted: contact.count },
      contactedWithin5m: share(within5, n),
      contactedWithin1h: share(within60, n),
      coverage: share(contact.count, n),
      leftToAgeOut: states.aged_out,
      waitingAtEnd: states.waiting,
      ageInQueueMin: { median: min(taken.p50Ms), p90: min(taken.p90Ms), taken: taken.count },
      fairness: {
        giniLeads: round(gini(this.reps.map((r) => r.received)), 4),
        giniHotLeads: round(gini(this.reps.map((r) => r.hot)), 4),
        giniQuality: round(gini(this.reps.map((r) => r.expected)), 4),
      },
      cherryPickIndex: { team: cherryPickIndex(measured ? pctSum / measured : null, measured), highestRep: highest },
      lockExpiries: this.lockExpiries,
      refusals: sortKeys(this.refusals),
      managerReview: { sentToReview: this.sentToReview, reviewed: this.reviewed, managerHours: round((this.reviewed * this.reviewMinutes) / 60, 1) },
      conversions: { expected: round(this.expected, 1), realized: this.realized },
      takesBySource: sortKeys(this.takesBySource),
      finalStates: states,
      perRep,
      series: { startAt: new Date(this.stream.start).toISOString(), everyMinutes: series.every * 60, waiting: series.a, meanAgeMin: series.b, oldestAgeMin: series.c },
      events: this.events,
    };
    if (this.trace) out.trace = this.trace;
    return out;
  }
}

const availabilityMemo = new WeakMap<Team, Map<string, Float64Array[]>>();

/**
 * The team's working blocks, computed once per team, span and seed: every model of a
 * comparison sees the same absences (common random numbers), and pays for them once.
 */
function teamAvailabilityCached(team: Team, from: number, to: number, seed: number): Float64Array[] {
  let bySpan = availabilityMemo.get(team);
  if (!bySpan) availabilityMemo.set(team, (bySpan = new Map()));
  const key = `${from}|${to}|${seed}`;
  let iv = bySpan.get(key);
  if (!iv) {
    iv = teamAvailability(team.reps, from, to, team.reps.map((_, i) => new Random(seed * 1_000 + i + 17)));
    bySpan.set(key, iv);
  }
  return iv;
}

function viewOf(def: SimPoolDef, tier: string): View {
  const a: PoolAccess = def.access ? poolAccessFor({ byTier: def.access }, tier) : 'preview';
  if (a === 'none') return 'none';
  if (def.mode === 'queue') return 'queue';
  if (a === 'full' || def.mode === 'cherry_pick') return 'full';
  return 'preview';
}

function finalState(s: SimStatus): FinalState {
  switch (s) {
    case 'converted':
      return 'converted';
    case 'disqualified':
      return 'disqualified';
    case 'contacted':
    case 'qualified':
      return 'contacted_open';
    case 'claimed':
    case 'assigned':
      return 'claimed_open';
    case 'available':
      return 'waiting';
    case 'aged_out':
      return 'aged_out';
    case 'review':
      return 'review';
  }
}

/** Queue order: priority (high first), then arrival, then id. */
function before(a: SimLead, b: SimLead): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.arrivedAt !== b.arrivedAt) return a.arrivedAt < b.arrivedAt;
  return a.id < b.id;
}

function insertSorted(list: SimLead[], lead: SimLead): void {
  let lo = 0;
  let hi = list.length;
  // Most leads arrive last in order: check the end first.
  if (hi === 0 || before(list[hi - 1]!, lead)) {
    list.push(lead);
    return;
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(list[mid]!, lead)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, lead);
}

function indexSorted(list: SimLead[], lead: SimLead): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(list[mid]!, lead)) lo = mid + 1;
    else hi = mid;
  }
  return list[lo] === lead ? lo : list.indexOf(lead);
}

function removeHeld(rep: SimRep, lead: SimLead): void {
  const i = rep.held.indexOf(lead);
  if (i >= 0) rep.held.splice(i, 1);
}

function sortAsc(values: number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : round(part / whole, 4);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** At most 400 points: hourly for short runs, averaged over whole hours for long ones. */
function downsample(a: number[], b: number[], c: number[]): { every: number; a: number[]; b: number[]; c: number[] } {
  const every = Math.max(1, Math.ceil(a.length / 400));
  const avg = (xs: number[]) => {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i += every) {
      const chunk = xs.slice(i, i + every);
      out.push(round(chunk.reduce((s, v) => s + v, 0) / chunk.length, 1));
    }
    return out;
  };
  const max = (xs: number[]) => {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i += every) out.push(round(Math.max(...xs.slice(i, i + every)), 1));
    return out;
  };
  return { every, a: avg(a), b: avg(b), c: max(c) };
}
