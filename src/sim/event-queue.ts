/**
 * The simulator's agenda: a binary min-heap of events on virtual time. Events at the same
 * time come out in the order they were scheduled (a sequence number breaks ties), so a run
 * never depends on heap internals and the same inputs give the same run.
 *
 * Struct of arrays instead of one object per event: a year of a 50-rep team schedules about
 * two million events, and typed arrays keep them out of the garbage collector's way.
 */
export class EventQueue {
  #time = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #kind = new Uint8Array(1024);
  #a = new Int32Array(1024);
  #b = new Int32Array(1024);
  #size = 0;
  #nextSeq = 0;

  get size(): number {
    return this.#size;
  }

  /** Schedules an event: `kind` and two integer arguments (a rep, a lead, a claim number…). */
  push(time: number, kind: number, a = 0, b = 0): void {
    if (!Number.isFinite(time)) throw new RangeError(`EventQueue: time ${time} is not finite`);
    if (this.#size === this.#time.length) this.#grow();
    let i = this.#size++;
    const seq = this.#nextSeq++;
    // Sift up: move parents down until the slot for the new event is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(time, seq, p)) break;
      this.#move(p, i);
      i = p;
    }
    this.#set(i, time, seq, kind, a, b);
  }

  /** Time of the earliest event, or Infinity when there is none. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : this.#time[0]!;
  }

  /** Removes the earliest event into `out` and returns true, or returns false when empty. */
  pop(out: PoppedEvent): boolean {
    if (this.#size === 0) return false;
    out.time = this.#time[0]!;
    out.kind = this.#kind[0]!;
    out.a = this.#a[0]!;
    out.b = this.#b[0]!;
    const last = --this.#size;
    if (last === 0) return true;
    const t = this.#time[last]!;
    const s = this.#seq[last]!;
    const k = this.#kind[last]!;
    const a = this.#a[last]!;
    const b = this.#b[last]!;
    // Sift down the last event from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.#lessAt(r, l) ? r : l;
      if (!this.#atBefore(c, t, s)) break;
      this.#move(c, i);
      i = c;
    }
    this.#set(i, t, s, k, a, b);
    return true;
  }

  /** (time, seq) is earlier than the event in slot j. */
  #before(time: number, seq: number, j: number): boolean {
    const tj = this.#time[j]!;
    return time < tj || (time === tj && seq < this.#seq[j]!);
  }

  /** The event in slot c is earlier than (time, seq). */
  #atBefore(c: number, time: number, seq: number): boolean {
    const tc = this.#time[c]!;
    return tc < time || (tc === time && this.#seq[c]! < seq);
  }

  #lessAt(i: number, j: number): boolean {
    return this.#before(this.#time[i]!, this.#seq[i]!, j);
  }

  #move(from: number, to: number): void {
    this.#time[to] = this.#time[from]!;
    this.#seq[to] = this.#seq[from]!;
    this.#kind[to] = this.#kind[from]!;
    this.#a[to] = this.#a[from]!;
    this.#b[to] = this.#b[from]!;
  }

  #set(i: number, time: number, seq: number, kind: number, a: number, b: number): void {
    this.#time[i] = time;
    this.#seq[i] = seq;
    this.#kind[i] = kind;
    this.#a[i] = a;
    this.#b[i] = b;
  }

  #grow(): void {
    const n = this.#time.length * 2;
    const grow = <T extends Float64Array | Uint8Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.#time = grow(this.#time, (m) => new Float64Array(m));
    this.#seq = grow(this.#seq, (m) => new Float64Array(m));
    this.#kind = grow(this.#kind, (m) => new Uint8Array(m));
    this.#a = grow(this.#a, (m) => new Int32Array(m));
    this.#b = grow(this.#b, (m) => new Int32Array(m));
  }
}

export interface PoppedEvent {
  time: number;
  kind: number;
  a: number;
  b: number;
}
