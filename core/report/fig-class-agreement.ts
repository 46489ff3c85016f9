/**
 * Agreement of the paper's class with the certified one: per group (method, or the flat-start
 * finder), a table of counts, rows the paper's class (r_solverA > flatR, [GF] §2.4), columns the
 * certified class (share of ‖g‖² at |λ| ≤ flatTau·‖H‖₂ certainly ≥ flatShare). Both criteria test
 * ‖g‖² and finiteness the same way, so runs off the diagonal are the points where r and the
 * spectrum disagree about flatness.
 */
import { CLASSES, groupsOf, PAPER_CLASSES, type PointClass, type RunRow } from '../io/run-rows.js';
import { facetByGroup, figure, type VlSpec } from './spec-common.js';

export interface AgreementCell {
  group: string;
  /** Facet header: the group and how many of its runs agree. */
  panel: string;
  paper: PointClass;
  certified: PointClass;
  count: number;
  agree: boolean;
}

/** Every (paper, certified) cell of every group, zeros included, over the runs with both classes. */
export function agreementCells(runs: readonly RunRow[]): AgreementCell[] {
  const known = runs.filter((r) => r.clsCertified !== undefined);
  const cells: AgreementCell[] = [];
  for (const group of groupsOf(known)) {
    const rows = known.filter((r) => r.group === group);
    const agree = rows.filter((r) => r.clsPaper === r.clsCertified).length;
    const panel = `${group}: ${agree}/${rows.length} agree`;
    for (const paper of PAPER_CLASSES) {
      for (const certified of CLASSES) {
        const count = rows.filter((r) => r.clsPaper === paper && r.clsCertified === certified).length;
        cells.push({ group, panel, paper, certified, count, agree: paper === certified });
      }
    }
  }
  return cells;
}

export function classAgreementSpec(runs: readonly RunRow[], rule: { flatR: number; flatTau: number; flatShare: number }): VlSpec {
  const cells = agreementCells(runs);
  const panels = [...new Set(cells.map((c) => c.panel))];
  const total = cells.reduce((s, c) => s + c.count, 0);
  const agree = cells.reduce((s, c) => s + (c.agree ? c.count : 0), 0);
  const unknown = runs.length - total;
  const max = Math.max(1, ...cells.map((c) => c.count));
  const inner: VlSpec = {
    encoding: {
      x: { field: 'certified', type: 'nominal', sort: [...CLASSES], title: 'certified class (spectral share)', axis: { labelAngle: -30 } },
      y: { field: 'paper', type: 'nominal', sort: [...PAPER_CLASSES], title: "paper's class (r)" },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          // Empty cells white, so the occupied ones stand out.
          color: { condition: { test: 'datum.count === 0', value: '#ffffff' }, field: 'count', type: 'quantitative', title: 'runs', scale: { scheme: 'blues', domain: [0, max] } },
          // The diagonal (the classes agree) framed in black.
          stroke: { condition: { test: 'datum.agree', value: '#000000' }, value: '#dddddd' },
          strokeWidth: { condition: { test: 'datum.agree', value: 1.5 }, value: 0.5 },
          tooltip: [
            { field: 'group', title: 'method' }, { field: 'paper', title: "paper's class" }, { field: 'certified', title: 'certified class' },
            { field: 'count', title: 'runs' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: [{ test: 'datum.count === 0', value: '#bbbbbb' }, { test: `datum.count > ${max / 2}`, value: '#ffffff' }], value: '#000000' },
        },
      },
    ],
  };
  return figure("The paper's class against the certified class", [
    `Runs by their class under the paper's criterion (r_solverA > ${rule.flatR}) and under the certified one (share of ‖g‖² at |λ| ≤ ${rule.flatTau.toExponential(0)}·‖H‖₂ certainly ≥ ${rule.flatShare}).`,
    `${agree} of ${total} runs agree (framed diagonal)${unknown > 0 ? `; ${unknown} run(s) without a certified class (older records with no share at τ = ${rule.flatTau.toExponential(0)}) left out` : ''}.`,
  ], { data: { values: cells }, ...facetByGroup(panels, inner, { width: 190, height: 120, field: 'panel' }) });
}
