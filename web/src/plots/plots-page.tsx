import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { api, describeError, projectPath, query } from '../api/api-client.js';
import type {
  LossesPlotResponse,
  MeasuresPlotResponse,
  PlotProblem,
  ProfilesPlotResponse,
} from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { PlotFigure } from './plot-figure.js';
import { summariseProfiles } from './plot-data.js';
import { lossesPlot, measuresPlot, profilesPlot } from './plot-specs.js';

type Kind = 'measures' | 'profiles' | 'losses';
type Loaded =
  | { readonly kind: 'measures'; readonly data: MeasuresPlotResponse }
  | { readonly kind: 'profiles'; readonly data: ProfilesPlotResponse }
  | { readonly kind: 'losses'; readonly data: LossesPlotResponse };

const DEFAULT_PATTERN: Record<Kind, string> = {
  measures: '',
  profiles: '*.tsv',
  losses: '*model_patchwork.json',
};

/**
 * Plots of what the jobs computed: recorded measures per group (box and dots), along-tract profiles
 * per bundle (mean and one-sd band per group, from tract tables), and training curves of models
 * (`trainloss_hist`/`validloss_hist` of model_patchwork.json in analysis folders). Each plot can be
 * saved as SVG or PNG, its data as TSV.
 */
export function PlotsPage() {
  const { project } = useApp();
  const [kind, setKind] = useState<Kind>('measures');
  const [form, setForm] = useState({
    selector: '*',
    groupLevel: 'subject',
    groups: 'control,patient',
    pattern: '',
  });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function load(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(null);
    const pattern = form.pattern.trim() === '' ? DEFAULT_PATTERN[kind] : form.pattern.trim();
    const grouping = { selector: form.selector, groupLevel: form.groupLevel, groups: form.groups };
    try {
      const path = (rest: string) => projectPath(project.name, rest);
      let next: Loaded;
      if (kind === 'measures')
        next = {
          kind,
          data: await api<MeasuresPlotResponse>('GET', path(`plots/measures${query(grouping)}`)),
        };
      else if (kind === 'profiles')
        next = {
          kind,
          data: await api<ProfilesPlotResponse>(
            'GET',
            path(`plots/profiles${query({ ...grouping, pattern })}`),
          ),
        };
      else
        next = {
          kind,
          data: await api<LossesPlotResponse>('GET', path(`plots/losses${query({ pattern })}`)),
        };
      setLoaded(next);
      setChoice(firstChoice(next));
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  const choices = useMemo(() => (loaded === null ? [] : choicesOf(loaded)), [loaded]);
  const profileSummary = useMemo(
    () => (loaded?.kind === 'profiles' ? summariseProfiles(loaded.data.points) : []),
    [loaded],
  );
  const draw = useCallback(() => {
    if (loaded?.kind === 'measures') return measuresPlot(loaded.data.points, choice);
    if (loaded?.kind === 'profiles') return profilesPlot(profileSummary, choice);
    return lossesPlot(loaded?.kind === 'losses' ? loaded.data.points : []);
  }, [loaded, choice, profileSummary]);
  const rows =
    loaded === null
      ? []
      : loaded.kind === 'measures'
        ? loaded.data.points.filter((p) => p.key === choice)
        : loaded.kind === 'profiles'
          ? profileSummary.filter((s) => s.measure === choice)
          : loaded.data.points;
  const problems: readonly PlotProblem[] =
    loaded === null || loaded.kind === 'measures' ? [] : loaded.data.problems;
  const empty = loaded !== null && rows.length === 0;

  return (
    <div className="plots-page">
      <form className="toolbar plots-form" onSubmit={(e) => void load(e)}>
        <label>
          Plot
          <select
            aria-label="Plot kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as Kind);
              setLoaded(null);
            }}
          >
            <option value="measures">measures per group</option>
            <option value="profiles">along-tract profiles</option>
            <option value="losses">training curves</option>
          </select>
        </label>
        {kind !== 'losses' && (
          <>
            <label>
              Selector
              <input value={form.selector} onChange={(e) => setForm({ ...form, selector: e.target.value })} />
            </label>
            <label>
              Group by tags of
              <select
                value={form.groupLevel}
                onChange={(e) => setForm({ ...form, groupLevel: e.target.value })}
              >
                <option value="subject">subject</option>
                <option value="study">study</option>
              </select>
            </label>
            <label>
              Group tags
              <input
                value={form.groups}
                onChange={(e) => setForm({ ...form, groups: e.target.value })}
                title="Comma-separated, tried in order; others go to 'other'"
              />
            </label>
          </>
        )}
        {kind !== 'measures' && (
          <label>
            File pattern
            <input
              value={form.pattern}
              placeholder={DEFAULT_PATTERN[kind]}
              onChange={(e) => setForm({ ...form, pattern: e.target.value })}
            />
          </label>
        )}
        <button type="submit" className="primary">
          Plot
        </button>
        {choices.length > 0 && (
          <label>
            {loaded?.kind === 'measures' ? 'Measure' : 'Scalar'}
            <select value={choice} onChange={(e) => setChoice(e.target.value)} aria-label="Plotted measure">
              {choices.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
        )}
      </form>
      {error !== null && <p role="alert">{error}</p>}
      {problems.map((p) => (
        <p key={p.file} role="alert">
          {p.file}: {p.reason}
        </p>
      ))}
      {empty && <p>Nothing to plot: no data matched.</p>}
      {loaded !== null && !empty && (
        <PlotFigure
          name={`${project.name}-${loaded.kind}${choice === '' ? '' : `-${choice}`}`}
          draw={draw}
          rows={rows}
        />
      )}
    </div>
  );
}

function choicesOf(loaded: Loaded): string[] {
  if (loaded.kind === 'measures') return [...new Set(loaded.data.points.map((p) => p.key))].sort();
  if (loaded.kind === 'profiles') return [...new Set(loaded.data.points.map((p) => p.measure))].sort();
  return [];
}

function firstChoice(loaded: Loaded): string {
  return choicesOf(loaded)[0] ?? '';
}
