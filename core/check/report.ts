/**
 * What the conformance check reports: one line per property of the contract the harness relies
 * on, passed or failed with the evidence, per plugin.
 */

export interface PropertyResult {
  /** The property, in words a failure message can name (e.g. 'resume is bit-identical'). */
  property: string;
  ok: boolean;
  /** Evidence: what was compared and what was found; on a failure, what to fix. */
  detail: string;
}

export interface PluginCheck {
  kind: 'stepper' | 'problem';
  name: string;
  /** Where it came from (a file, a package, or 'code'). */
  source: string;
  results: PropertyResult[];
  passed: boolean;
}

export interface CheckReport {
  passed: boolean;
  plugins: PluginCheck[];
  /** The readable report (what `gradflat check` prints). */
  text: string;
}

/** Collects the properties of one plugin; a property's code that throws fails that property only. */
export class PropertyLog {
  readonly results: PropertyResult[] = [];

  pass(property: string, detail: string): void {
    this.results.push({ property, ok: true, detail });
  }

  fail(property: string, detail: string): void {
    this.results.push({ property, ok: false, detail });
  }

  /**
   * Runs `body`, which returns the passing detail or throws a Failure (or anything: reported as
   * the property's failure). `elsewhere(e)`: the error is another property's failure (the caller
   * reports it there), so this property is neither passed nor failed.
   */
  async check(property: string, body: () => string | Promise<string>, elsewhere?: (e: unknown) => boolean): Promise<boolean> {
    try {
      this.pass(property, await body());
      return true;
    } catch (e) {
      if (elsewhere?.(e)) return false;
      this.fail(property, e instanceof Failure ? e.message : `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      return false;
    }
  }

  get passed(): boolean {
    return this.results.every((r) => r.ok);
  }
}

/** A property that does not hold; its message is the evidence. */
export class Failure extends Error {
  override name = 'Failure';
}

export function formatCheck(c: PluginCheck): string {
  const lines = [`${c.kind} '${c.name}' (${c.source}): ${c.passed ? 'passed' : `FAILED ${c.results.filter((r) => !r.ok).length} of ${c.results.length}`}`];
  for (const r of c.results) lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.property}: ${r.detail}`);
  return lines.join('\n');
}

export function report(plugins: PluginCheck[]): CheckReport {
  const passed = plugins.every((p) => p.passed);
  const text = plugins.map(formatCheck).join('\n\n') + `\n\n${passed ? 'all checks passed' : `${plugins.filter((p) => !p.passed).length} of ${plugins.length} plugin(s) failed`}\n`;
  return { passed, plugins, text };
}
