/**
 * A number against a target: a minimum to reach (green once met) or a limit to stay under
 * (amber near it, red at it). The bar is decoration; the text says it all.
 */
export function Meter({
  label,
  value,
  target,
  kind,
  valueText,
  hint,
}: {
  label: string;
  value: number;
  target: number | null;
  kind: 'minimum' | 'limit';
  valueText: string;
  hint: string;
}) {
  const pct = target ? Math.min(100, (value / target) * 100) : 0;
  const tone =
    target === null
      ? 'neutral'
      : kind === 'minimum'
        ? value >= target
          ? 'ok'
          : 'warn'
        : value >= target
          ? 'bad'
          : value >= target * 0.8
            ? 'warn'
            : 'ok';
  return (
    <div className={`meter meter-${tone}`}>
      <p className="meter-label">{label}</p>
      <p className="meter-value">{valueText}</p>
      {target !== null ? (
        <div className="meter-track" aria-hidden="true">
          <span style={{ width: `${pct}%` }} />
        </div>
      ) : null}
      <p className="meter-hint muted small">{hint}</p>
    </div>
  );
}
